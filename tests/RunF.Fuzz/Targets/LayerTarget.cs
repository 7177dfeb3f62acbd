using RunF.Fuzz.Input;
using RunF.Interop;
using RunF.RootfsTools;
using RunF.RootfsTools.Layers;
using RunF.RootfsTools.Output;
using RunF.RootfsTools.Safety;

namespace RunF.Fuzz.Targets;

/// <summary>
/// The layer applier: tar entries and whiteouts, layer over layer, into an output directory
/// whose surroundings the sandbox watches. Input: a member list with L between layers, or one
/// raw layer tar. Read as the extractor reads layers: forward only.
/// </summary>
internal static class LayerTarget
{
    private const long MaxEntries = 4096;

    public static void Run(byte[] input)
    {
        var sandbox = Sandbox.For("layer");
        sandbox.Begin();
        var layers = MemberList.IsStructured(input)
            ? Harness.Build(() => MemberList.Layers(MemberList.Parse(input, MemberList.Mark)).Select(TarBuilder.Tar).ToList())
            : [input];
        if (layers is null)
        {
            return;
        }
        try
        {
            using var root = RootDir.Open(sandbox.Output);
            var applier = new LayerApplier(root, MaxEntries, Umask.Current());
            for (int i = 0; i < layers.Count; i++)
            {
                applier.Apply(new ForwardOnly(layers[i]), i + 1, $"layer{i + 1}.tar", CancellationToken.None);
            }
            MountPoints.Ensure(root);
            applier.FinishDirectories();
            // The output directory is never writable by others, whatever mode the image gives "/".
            if (Libc.Stat(sandbox.Output)?.Mode is { } mode && (mode & 0x12) != 0)
            {
                throw new EscapeException($"the output directory is group- or world-writable (mode {Convert.ToString(mode & 0xFFF, 8)})");
            }
        }
        catch (RootfsException e)
        {
            Harness.Refused(e);
            // Refused with one line: what a hostile layer should get.
        }
        finally
        {
            sandbox.Check();
            sandbox.Reset();
        }
    }

    /// <summary>The layer as the extractor's pipeline hands it over: no Length, no Seek.</summary>
    private sealed class ForwardOnly(byte[] data) : ForwardOnlyStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
