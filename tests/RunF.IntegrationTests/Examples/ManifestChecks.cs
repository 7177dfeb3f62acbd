using System.Text.Json.Nodes;

namespace RunF.IntegrationTests.Examples;

/// <summary>
/// The structure the examples must keep, checked on their parsed YAML: what faas-cli and
/// kubectl would reject, and what `runf serve` needs (probes on its health and ready endpoints,
/// a Service that reaches the Deployment's pods). Each check returns its problems, one line each.
/// </summary>
public static class ManifestChecks
{
    /// <summary>An OpenFaaS stack file: version, provider openfaas, functions with an image and
    /// the watchdog's fprocess in their environment.</summary>
    public static IReadOnlyList<string> StackFile(IReadOnlyList<JsonNode?> docs)
    {
        var problems = new List<string>();
        if (docs.Count != 1 || docs[0] is not JsonObject stack)
        {
            return ["a stack file is one YAML document holding a mapping"];
        }
        if (stack["version"] is not JsonValue)
        {
            problems.Add("no version");
        }
        if (Text(stack["provider"]?["name"]) != "openfaas")
        {
            problems.Add("provider.name is not openfaas");
        }
        if (stack["functions"] is not JsonObject { Count: > 0 } functions)
        {
            problems.Add("no functions");
            return problems;
        }
        foreach (var (name, fn) in functions)
        {
            if (Text(fn?["image"]) is not { Length: > 0 })
            {
                problems.Add($"functions.{name}: no image");
            }
            if (fn?["environment"] is not JsonObject env)
            {
                problems.Add($"functions.{name}: no environment");
                continue;
            }
            if (Text(env["fprocess"]) is not { Length: > 0 })
            {
                problems.Add($"functions.{name}.environment: no fprocess");
            }
            foreach (var (key, value) in env)
            {
                if (value is not JsonValue)
                {
                    problems.Add($"functions.{name}.environment.{key}: not a scalar");
                }
            }
        }
        return problems;
    }

    /// <summary>Kubernetes manifests: every document has apiVersion, kind and metadata.name; a
    /// Deployment whose selector matches its pod labels, whose containers' readiness and liveness
    /// probes GET /_/ready and /_/health on a port the container declares; a Service whose
    /// selector picks that Deployment's pods and whose target ports exist on them.</summary>
    public static IReadOnlyList<string> Kubernetes(IReadOnlyList<JsonNode?> docs)
    {
        var problems = new List<string>();
        var deployments = new List<JsonObject>();
        var services = new List<JsonObject>();
        for (var i = 0; i < docs.Count; i++)
        {
            if (docs[i] is not JsonObject doc)
            {
                problems.Add($"document {i + 1}: not a mapping");
                continue;
            }
            if (Text(doc["apiVersion"]) is not { Length: > 0 } || Text(doc["kind"]) is not { Length: > 0 } || Text(doc["metadata"]?["name"]) is not { Length: > 0 })
            {
                problems.Add($"document {i + 1}: needs apiVersion, kind and metadata.name");
                continue;
            }
            switch (Text(doc["kind"]))
            {
                case "Deployment":
                    deployments.Add(doc);
                    break;
                case "Service":
                    services.Add(doc);
                    break;
            }
        }
        if (deployments.Count == 0)
        {
            problems.Add("no Deployment");
        }
        if (services.Count == 0)
        {
            problems.Add("no Service");
        }
        foreach (var d in deployments)
        {
            problems.AddRange(Deployment(d));
        }
        foreach (var s in services)
        {
            var name = $"Service {Text(s["metadata"]!["name"])}";
            if (Labels(s["spec"]?["selector"]) is not { Count: > 0 } selector)
            {
                problems.Add($"{name}: no selector");
                continue;
            }
            var target = deployments.FirstOrDefault(d => Text(d["metadata"]!["namespace"]) == Text(s["metadata"]!["namespace"])
                && Selects(selector, Labels(d["spec"]?["template"]?["metadata"]?["labels"])));
            if (target is null)
            {
                problems.Add($"{name}: its selector matches no Deployment's pods in its namespace");
                continue;
            }
            var ports = PodPorts(target);
            foreach (var port in s["spec"]?["ports"]?.AsArray() ?? [])
            {
                var targetPort = port?["targetPort"] ?? port?["port"];
                if (!ports.Contains(Text(targetPort) ?? ""))
                {
                    problems.Add($"{name}: targetPort {Text(targetPort)} is no container port of its pods");
                }
            }
        }
        return problems;
    }

    private static IEnumerable<string> Deployment(JsonObject d)
    {
        var name = $"Deployment {Text(d["metadata"]!["name"])}";
        var podLabels = Labels(d["spec"]?["template"]?["metadata"]?["labels"]);
        if (Labels(d["spec"]?["selector"]?["matchLabels"]) is not { Count: > 0 } match || !Selects(match, podLabels))
        {
            yield return $"{name}: spec.selector.matchLabels does not match the pod template's labels";
        }
        if (d["spec"]?["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            yield return $"{name}: no containers";
            yield break;
        }
        foreach (var c in containers)
        {
            var cname = $"{name} container {Text(c?["name"])}";
            var ports = ContainerPorts(c);
            foreach (var (probe, path) in new[] { ("readinessProbe", "/_/ready"), ("livenessProbe", "/_/health") })
            {
                var get = c?[probe]?["httpGet"];
                if (get is null)
                {
                    yield return $"{cname}: no {probe} with httpGet";
                    continue;
                }
                if (Text(get["path"]) != path)
                {
                    yield return $"{cname}: {probe} path is {Text(get["path"])}, not {path}";
                }
                if (!ports.Contains(Text(get["port"]) ?? ""))
                {
                    yield return $"{cname}: {probe} port {Text(get["port"])} is not a port the container declares";
                }
            }
        }
    }

    /// <summary>The ports a container declares, by number and by name (probes and Services may
    /// use either).</summary>
    private static HashSet<string> ContainerPorts(JsonNode? container)
    {
        var ports = new HashSet<string>();
        foreach (var p in container?["ports"]?.AsArray() ?? [])
        {
            if (Text(p?["containerPort"]) is { } number)
            {
                ports.Add(number);
            }
            if (Text(p?["name"]) is { } portName)
            {
                ports.Add(portName);
            }
        }
        return ports;
    }

    private static HashSet<string> PodPorts(JsonObject deployment) =>
        (deployment["spec"]?["template"]?["spec"]?["containers"]?.AsArray() ?? []).SelectMany(ContainerPorts).ToHashSet();

    private static Dictionary<string, string> Labels(JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(kv => kv.Key, kv => Text(kv.Value) ?? "") : [];

    private static bool Selects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>A scalar as text (YAML numbers and booleans too), null for anything else.</summary>
    private static string? Text(JsonNode? node) => node is JsonValue v ? v.ToString() : null;
}
