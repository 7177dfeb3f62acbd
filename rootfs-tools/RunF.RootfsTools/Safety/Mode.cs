namespace RunF.RootfsTools.Safety;

/// <summary>Mode constants. C# has no octal literals; each is named by its octal value.</summary>
internal static class Mode
{
    public const uint Perm0777 = 0x1FF;
    public const uint Perm0755 = 0x1ED;
    public const uint Perm0700 = 0x1C0;
    public const uint Perm0600 = 0x180;
    public const uint Perm0200 = 0x80;
    public const uint Perm0022 = 0x12;
    public const uint Perm7777 = 0xFFF;
    public const uint Perm0644 = 0x1A4;
    public const uint Perm0555 = 0x16D;
}
