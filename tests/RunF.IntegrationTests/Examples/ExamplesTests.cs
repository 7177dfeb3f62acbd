using System.Text.Json.Nodes;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Examples;

/// <summary>
/// examples/ (the executor's Dockerfile, an OpenFaaS stack file, Kubernetes manifests) cannot be
/// deployed here: no Docker engine, no cluster. These tests read them as the tools would and check
/// the structure `runf serve` relies on; the negative cases prove each check can fail.
/// </summary>
public class ExamplesTests
{
    private static readonly string Repo = TestEnvironment.FindRepo();
    private static readonly string ExamplesDir = Path.Combine(Repo, "examples");

    private static string[] YamlFileNames() =>
        Directory.EnumerateFiles(ExamplesDir).Where(f => f.EndsWith(".yml") || f.EndsWith(".yaml")).Select(f => Path.GetFileName(f)).Order().ToArray();

    public static TheoryData<string> YamlFiles() => new(YamlFileNames());

    [Fact]
    public void The_examples_are_there()
    {
        var names = YamlFileNames();
        Assert.Contains("stack.yml", names);
        Assert.Contains("kubernetes.yaml", names);
        Assert.True(File.Exists(Path.Combine(ExamplesDir, "Dockerfile")));
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Every_yaml_file_parses(string name)
    {
        var docs = Yaml.ParseAll(File.ReadAllText(Path.Combine(ExamplesDir, name)));
        Assert.NotEmpty(docs);
        Assert.All(docs, d => Assert.IsType<JsonObject>(d));
    }

    [Fact]
    public void Broken_yaml_fails_to_parse()
    {
        // A tab in the indentation and an unclosed flow sequence: PyYAML says where.
        var badIndent = Assert.Throws<FormatException>(() => Yaml.ParseAll("a:\n  b: 1\n\tc: 2\n"));
        Assert.Contains("line 3", badIndent.Message);
        Assert.Throws<FormatException>(() => Yaml.ParseAll("ports: [8080, 8081\nkind: Service\n"));
        Assert.Throws<FormatException>(() => Yaml.ParseAll("kind: Service\n---\nkind: [\n"));
    }

    [Fact]
    public void A_key_given_twice_is_an_error()
    {
        var e = Assert.Throws<FormatException>(() => Yaml.ParseAll("spec:\n  replicas: 1\n  replicas: 2\n"));
        Assert.Contains("duplicate key", e.Message);
    }

    [Fact]
    public void Yaml_scalars_and_documents_come_through()
    {
        var docs = Yaml.ParseAll("a: 1\nb: \"8081\"\nc: 10s\n---\nd: [x, y]\n");
        Assert.Equal(2, docs.Count);
        Assert.Equal(1, docs[0]!["a"]!.GetValue<int>());
        Assert.Equal("8081", docs[0]!["b"]!.GetValue<string>());
        Assert.Equal("10s", docs[0]!["c"]!.GetValue<string>());
        Assert.Equal("y", docs[1]!["d"]![1]!.GetValue<string>());
    }

    [Fact]
    public void The_stack_file_has_an_openfaas_function_with_an_image_and_fprocess()
    {
        var docs = Yaml.ParseAll(File.ReadAllText(Path.Combine(ExamplesDir, "stack.yml")));
        Assert.Empty(ManifestChecks.StackFile(docs));
        var env = docs[0]!["functions"]!.AsObject().Single().Value!["environment"]!;
        foreach (var key in new[] { "fprocess", "exec_timeout", "read_timeout", "write_timeout", "max_inflight" })
        {
            Assert.NotNull(env[key]);
        }
    }

    [Fact]
    public void The_stack_check_finds_a_wrong_provider_and_a_function_without_image_or_fprocess()
    {
        var docs = Yaml.ParseAll("version: 1.0\nprovider:\n  name: faas\nfunctions:\n  f:\n    environment:\n      write_timeout: 5s\n");
        var problems = ManifestChecks.StackFile(docs);
        Assert.Contains("provider.name is not openfaas", problems);
        Assert.Contains("functions.f: no image", problems);
        Assert.Contains("functions.f.environment: no fprocess", problems);
    }

    [Fact]
    public void The_kubernetes_manifests_probe_ready_and_health_and_the_service_reaches_the_pods()
    {
        var docs = Yaml.ParseAll(File.ReadAllText(Path.Combine(ExamplesDir, "kubernetes.yaml")));
        Assert.Empty(ManifestChecks.Kubernetes(docs));
        var deployment = docs.Single(d => (string?)d!["kind"] == "Deployment")!;
        var pod = deployment["spec"]!["template"]!;
        Assert.Equal("true", (string?)pod["metadata"]!["annotations"]!["prometheus.io/scrape"]);
        Assert.Equal("8081", (string?)pod["metadata"]!["annotations"]!["prometheus.io/port"]);
        // What a nested rootless runtime needs (README: SETFCAP, unmasked /proc, no seccomp or
        // AppArmor profile of the pod's own); Kubernetes allows procMount: Unmasked only with
        // hostUsers: false.
        Assert.False(pod["spec"]!["hostUsers"]!.GetValue<bool>());
        Assert.Equal("Unconfined", (string?)pod["spec"]!["securityContext"]!["seccompProfile"]!["type"]);
        Assert.Equal("Unconfined", (string?)pod["spec"]!["securityContext"]!["appArmorProfile"]!["type"]);
        var container = pod["spec"]!["containers"]![0]!;
        Assert.Equal(["runf", "serve"], container["command"]!.AsArray().Select(c => (string?)c));
        var security = container["securityContext"]!;
        Assert.Equal("Unmasked", (string?)security["procMount"]);
        Assert.Contains("SETFCAP", security["capabilities"]!["add"]!.AsArray().Select(c => (string?)c));
    }

    [Fact]
    public void The_kubernetes_check_finds_wrong_probes_a_stray_selector_and_a_document_without_kind()
    {
        var text = File.ReadAllText(Path.Combine(ExamplesDir, "kubernetes.yaml"));
        var docs = Yaml.ParseAll(text).ToList();
        var deployment = docs.Single(d => (string?)d!["kind"] == "Deployment")!;
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["readinessProbe"]!["httpGet"]!["path"] = "/healthz";
        container["livenessProbe"]!["httpGet"]!["port"] = 9999;
        docs.Single(d => (string?)d!["kind"] == "Service")!["spec"]!["selector"] = new JsonObject { ["app"] = "other" };
        docs.Add(new JsonObject { ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["name"] = "x" } });

        var problems = ManifestChecks.Kubernetes(docs);
        Assert.Contains(problems, p => p.Contains("readinessProbe path is /healthz, not /_/ready"));
        Assert.Contains(problems, p => p.Contains("livenessProbe port 9999 is not a port the container declares"));
        Assert.Contains(problems, p => p.Contains("its selector matches no Deployment's pods"));
        Assert.Contains(problems, p => p.Contains("needs apiVersion, kind and metadata.name"));
    }

    [Fact]
    public void The_dockerfile_lints_clean_and_its_final_stage_serves_as_non_root()
    {
        var instructions = Dockerfile.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "Dockerfile")));
        Assert.Empty(Dockerfile.Lint(instructions, Repo, IgnorePatterns()));

        var final = instructions.Skip(instructions.ToList().FindLastIndex(i => i.Keyword == "FROM")).ToList();
        Assert.Equal(["runf", "serve"], Dockerfile.ExecForm(final.Single(i => i.Keyword == "CMD").Arguments)![..2]);
        Assert.Equal(["8080", "8081"], final.Single(i => i.Keyword == "EXPOSE").Arguments.Split(' '));
        Assert.Contains("/_/health", final.Single(i => i.Keyword == "HEALTHCHECK").Arguments);
        Assert.Contains(final, i => i.Keyword == "COPY" && i.Arguments.Contains("runf-serve"));
    }

    [Fact]
    public void The_dockerfile_lint_finds_what_a_build_would_trip_on()
    {
        var broken = """
            # syntax=docker/dockerfile:1
            FROM debian:bookworm-slim AS build
            RUNN make
            COPY no/such/dir /src/
            COPY out/runf /usr/bin/
            FROM debian:bookworm-slim
            COPY --from=bulid /src/out/runf /usr/bin/
            EXPOSE 8080/http
            HEALTHCHECK --every=5s CMD ["curl", "http://127.0.0.1:8080/_/health"]
            CMD ["sh", "-c", "runf serve"
            """;
        var problems = Dockerfile.Lint(Dockerfile.Parse(broken), Repo, IgnorePatterns());
        Assert.Contains("line 3: unknown instruction RUNN", problems);
        Assert.Contains("line 4: COPY: source no/such/dir does not exist in the build context", problems);
        Assert.Contains("line 5: COPY: source out/runf is excluded by the .dockerignore patterns", problems);
        Assert.Contains("line 7: COPY: --from=bulid names no earlier stage", problems);
        Assert.Contains("line 8: EXPOSE: bad port 8080/http", problems);
        Assert.Contains("line 9: HEALTHCHECK: unknown option --every=5s", problems);
        Assert.Contains(problems, p => p.StartsWith("line 10: CMD: JSON (exec) form does not parse"));
        Assert.Contains("the final stage runs as root (no USER with a non-root uid)", problems);
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void The_dockerfile_lint_wants_runf_as_the_final_program()
    {
        var problems = Dockerfile.Lint(Dockerfile.Parse("FROM debian:bookworm-slim\nUSER 10001\nENTRYPOINT [\"/bin/sh\"]\nCMD [\"runf\", \"serve\"]\n"), Repo, []);
        Assert.Equal(["line 3: the final stage runs /bin/sh, not runf"], problems);
    }

    [Fact]
    public void Continuations_and_comments_inside_them_are_joined_into_one_instruction()
    {
        var instructions = Dockerfile.Parse("FROM scratch\nRUN a \\\n # note\n  && b \\\n  && c\nUSER 1\n");
        Assert.Equal(["FROM", "RUN", "USER"], instructions.Select(i => i.Keyword));
        Assert.Equal(2, instructions[1].Line);
        Assert.Equal("a   && b   && c", instructions[1].Arguments);
    }

    private static IReadOnlyList<string> IgnorePatterns() =>
        Dockerfile.IgnorePatterns(File.ReadAllText(Path.Combine(ExamplesDir, "Dockerfile.dockerignore")));
}
