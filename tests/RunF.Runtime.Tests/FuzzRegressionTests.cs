using RunF.Runtime.Errors;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

/// <summary>
/// What the fuzz targets (tests/RunF.Fuzz) found in the image config and seccomp profile
/// readers, each as the input that found it: a RunfException with one line naming the field,
/// never a .NET exception from deep inside a run.
/// </summary>
public sealed class FuzzRegressionTests : TempDirectoryTest
{
    [Theory]
    [InlineData("""{"Env":[null],"Cmd":["sh"]}""", "Env[0]")]
    [InlineData("""{"Cmd":[null]}""", "Cmd[0]")]
    [InlineData("""{"Entrypoint":["/bin/sh",null]}""", "Entrypoint[1]")]
    public void A_null_in_a_saved_image_config_list_is_refused_naming_it(string json, string field)
    {
        string rootfs = Path.Combine(Dir, "rootfs");
        Directory.CreateDirectory(rootfs);
        File.WriteAllText(rootfs + ".image.json", json);

        var error = Assert.Throws<RunfException>(() => ImageDefaultsLoader.Load(rootfs));

        Assert.Equal($"image config {rootfs}.image.json: {field} is null; extract the image again", error.Message);
    }

    [Fact]
    public void A_saved_image_config_without_nulls_still_loads()
    {
        string rootfs = Path.Combine(Dir, "rootfs");
        File.WriteAllText(rootfs + ".image.json", """{"Env":["A=1"],"Entrypoint":null,"Cmd":["sh"],"ExposedPorts":[],"Labels":{}}""");

        var defaults = ImageDefaultsLoader.Load(rootfs);

        Assert.Equal(["sh"], defaults!.Cmd!);
        Assert.Null(defaults.Entrypoint);
    }

    [Fact]
    public void A_kernel_version_beyond_int_is_not_a_version()
    {
        Assert.Null(SeccompContext.ParseKernel("99999999999.1"));
        Assert.Null(SeccompContext.ParseKernel("4.99999999999"));
    }

    [Fact]
    public void A_profile_whose_min_kernel_overflows_is_refused_naming_the_field()
    {
        string profile = Path.Combine(Dir, "p.json");
        File.WriteAllText(profile, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","includes":{"minKernel":"99999999999.1"}}]}""");

        var error = Assert.Throws<RunfException>(() => SeccompFilters.Load(profile, cacheDir: null, Capabilities.Default));

        Assert.Equal($"seccomp profile {profile}: syscalls[0].includes.minKernel: \"99999999999.1\" is not a kernel version such as 4.8", error.Message);
    }
}
