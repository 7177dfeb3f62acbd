namespace RunF.Runtime.Spec;

/// <summary>A terminal's size in character cells (OCI's consoleSize); 0 x 0 when runf's own is unknown.</summary>
public readonly record struct TerminalSize(ushort Rows, ushort Columns);
