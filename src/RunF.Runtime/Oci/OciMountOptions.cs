using RunF.Runtime.Errors;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Oci;

/// <summary>
/// A mount's options (mount(8)'s words) split into mount flags, propagation, the attributes a bind
/// gets afterwards, and the filesystem data (everything else, passed on as it is, as runc does).
/// </summary>
public sealed record OciMountOptions(ulong Flags, ulong Clear, ulong Propagation, bool Bind, bool Recursive, string? Data)
{
    /// <summary>tmpcopyup (podman's --read-only tmpfs mounts): the directory's content is copied into the new tmpfs.</summary>
    public bool CopyUp { get; init; }

    public const ulong MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsSynchronous = 16, MsMandlock = 64,
        MsDirsync = 128, MsNoatime = 1024, MsNodiratime = 2048, MsBind = 4096, MsRec = 16384, MsUnbindable = 1 << 17,
        MsPrivate = 1 << 18, MsSlave = 1 << 19, MsShared = 1 << 20, MsRelatime = 1 << 21, MsStrictatime = 1 << 24;

    /// <summary>mount_setattr(2)'s MOUNT_ATTR_* for the flags a bind cannot take at mount time.</summary>
    public const ulong AttrRdonly = 1, AttrNosuid = 2, AttrNodev = 4, AttrNoexec = 8, AttrNodiratime = 0x80;

    /// <summary>name → (flag set, flag cleared): the table runc and crun keep.</summary>
    private static readonly Dictionary<string, (ulong Set, ulong Clear)> FlagTable = new(StringComparer.Ordinal)
    {
        ["ro"] = (MsRdonly, 0), ["rw"] = (0, MsRdonly),
        ["nosuid"] = (MsNosuid, 0), ["suid"] = (0, MsNosuid),
        ["nodev"] = (MsNodev, 0), ["dev"] = (0, MsNodev),
        ["noexec"] = (MsNoexec, 0), ["exec"] = (0, MsNoexec),
        ["sync"] = (MsSynchronous, 0), ["async"] = (0, MsSynchronous),
        ["dirsync"] = (MsDirsync, 0), ["mand"] = (MsMandlock, 0), ["nomand"] = (0, MsMandlock),
        ["noatime"] = (MsNoatime, 0), ["atime"] = (0, MsNoatime),
        ["nodiratime"] = (MsNodiratime, 0), ["diratime"] = (0, MsNodiratime),
        ["relatime"] = (MsRelatime, 0), ["norelatime"] = (0, MsRelatime),
        ["strictatime"] = (MsStrictatime, 0), ["nostrictatime"] = (0, MsStrictatime),
        ["defaults"] = (0, 0),
    };

    private static readonly Dictionary<string, ulong> PropagationTable = new(StringComparer.Ordinal)
    {
        ["private"] = MsPrivate, ["rprivate"] = MsPrivate | MsRec,
        ["shared"] = MsShared, ["rshared"] = MsShared | MsRec,
        ["slave"] = MsSlave, ["rslave"] = MsSlave | MsRec,
        ["unbindable"] = MsUnbindable, ["runbindable"] = MsUnbindable | MsRec,
    };

    /// <summary>Options runc knows that runf does not do: refused by name.</summary>
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal) { "idmap", "ridmap", "remount", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime", "rstrictatime", "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "nosymfollow", "rnosymfollow", "symfollow", "rsymfollow" };

    public static OciMountOptions Parse(IReadOnlyList<string>? options, string where)
    {
        ulong set = 0, clear = 0, propagation = 0;
        bool bind = false, recursive = false, copyUp = false;
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagTable.TryGetValue(option, out var flag))
            {
                set = (set & ~flag.Clear) | flag.Set;
                clear = (clear & ~flag.Set) | flag.Clear;
            }
            else if (PropagationTable.TryGetValue(option, out var p))
            {
                propagation = p;
            }
            else if (option is "bind" or "rbind")
            {
                bind = true;
                recursive = option == "rbind";
            }
            else if (option == "tmpcopyup")
            {
                copyUp = true;
            }
            else if (Refused.Contains(option))
            {
                throw new RunfException($"{where}: the mount option \"{option}\" is not supported by runf: remove it");
            }
            else
            {
                data.Add(option);
            }
        }
        return new OciMountOptions(set, clear, propagation, bind, recursive, data.Count == 0 ? null : string.Join(',', data)) { CopyUp = copyUp };
    }

    /// <summary>The MOUNT_ATTR_* a bind gets once it is mounted (a bind ignores them at mount time); and those to clear.</summary>
    public (ulong Set, ulong Clear) Attributes()
    {
        ulong set = 0, clear = 0;
        foreach (var (ms, attr) in (ReadOnlySpan<(ulong, ulong)>)[(MsRdonly, AttrRdonly), (MsNosuid, AttrNosuid), (MsNodev, AttrNodev), (MsNoexec, AttrNoexec), (MsNodiratime, AttrNodiratime)])
        {
            if ((Flags & ms) != 0)
            {
                set |= attr;
            }
            else if ((Clear & ms) != 0)
            {
                clear |= attr;
            }
        }
        return (set, clear);
    }

    public MountFlags MountFlags => (MountFlags)Flags;
}
