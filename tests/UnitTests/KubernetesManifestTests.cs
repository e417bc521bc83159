using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace RerankCluster.UnitTests;

/// <summary>
/// What can be checked of deploy/k8s without a cluster: each overlay renders with kustomize
/// (kubectl's), every object has a known apiVersion and kind, selectors match pod labels, Services,
/// containers and probes agree on ports, every referenced ConfigMap, Secret and ServiceAccount exists,
/// every container has requests and limits, images are pinned, HPAs and PDBs point at real workloads,
/// and each of this project's images has a Dockerfile here that puts in it the program its command runs.
/// Not covered: full schema validation of every field (no Kubernetes schemas offline).
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly HashSet<(string, string)> KnownKinds =
    [
        ("v1", "Namespace"), ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("v1", "ServiceAccount"),
        ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("autoscaling/v2", "HorizontalPodAutoscaler"), ("policy/v1", "PodDisruptionBudget"),
    ];

    public static TheoryData<string> Overlays => new() { "cpu-only", "gpu" };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_renders_and_is_consistent(string overlay)
    {
        var objects = Render(overlay);
        Assert.All(objects, o => Assert.Contains((Str(o, "apiVersion"), Str(o, "kind")), KnownKinds));
        Assert.All(objects.Where(o => Str(o, "kind") != "Namespace"), o => Assert.Equal("rerank", Str(Map(o, "metadata"), "namespace")));

        var workloads = objects.Where(o => Str(o, "kind") is "Deployment" or "StatefulSet").ToList();
        Assert.NotEmpty(workloads);
        var names = objects.GroupBy(o => Str(o, "kind")).ToDictionary(g => g.Key, g => g.Select(o => Str(Map(o, "metadata"), "name")).ToHashSet());
        foreach (var workload in workloads)
        {
            var name = Str(Map(workload, "metadata"), "name");
            var spec = Map(workload, "spec");
            var template = Map(spec, "template");
            var podLabels = Labels(Map(template, "metadata"), "labels");
            Assert.True(Subset(Labels(Map(spec, "selector"), "matchLabels"), podLabels), $"{name}: selector does not match its pod labels");

            var pod = Map(template, "spec");
            Assert.Contains(Str(pod, "serviceAccountName"), names["ServiceAccount"]);
            var containers = List(pod, "containers").Concat(List(pod, "initContainers")).Cast<Dictionary<object, object>>().ToList();
            foreach (var container in containers)
            {
                var label = $"{name}/{Str(container, "name")}";
                var image = Str(container, "image");
                Assert.Matches(@"^[a-z0-9./-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", image);
                Assert.DoesNotContain(":latest", image);
                // Each of this project's images is built by a Dockerfile here, and holds the program a command names.
                if (OwnImage().Match(image) is { Success: true } own)
                {
                    var built = own.Groups["name"].Value;
                    Assert.True(ContainerImageTests.Exists(built), $"{label}: no deploy/k8s/docker/Dockerfile.{built} builds {image}");
                    if (List(container, "command").Select(c => $"{c}").FirstOrDefault(c => c.StartsWith("/app/", StringComparison.Ordinal)) is { } program)
                    {
                        Assert.True(ContainerImageTests.Programs(built).Contains(program), $"{label}: {image} does not hold {program}");
                    }
                }

                var resources = Map(container, "resources");
                Assert.True(Map(resources, "requests").ContainsKey("cpu") && Map(resources, "requests").ContainsKey("memory"), $"{label}: requests");
                Assert.True(Map(resources, "limits").ContainsKey("cpu") && Map(resources, "limits").ContainsKey("memory"), $"{label}: limits");

                foreach (var reference in List(container, "envFrom").Cast<Dictionary<object, object>>())
                {
                    if (reference.ContainsKey("configMapRef")) Assert.Contains(Str(Map(reference, "configMapRef"), "name"), names["ConfigMap"]);
                    if (reference.ContainsKey("secretRef")) Assert.Contains(Str(Map(reference, "secretRef"), "name"), names["Secret"]);
                }

                var ports = List(container, "ports").Cast<Dictionary<object, object>>()
                    .SelectMany(p => new[] { Str(p, "containerPort"), p.TryGetValue("name", out var n) ? (string)n : "" }).ToHashSet();
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" }.Where(container.ContainsKey).Select(p => Map(container, p)))
                {
                    var action = probe.TryGetValue("httpGet", out var http) ? (Dictionary<object, object>)http
                        : probe.TryGetValue("tcpSocket", out var tcp) ? (Dictionary<object, object>)tcp : null;
                    if (action is not null)
                    {
                        Assert.True(ports.Contains(Str(action, "port")), $"{label}: probe port {Str(action, "port")} is not a container port");
                    }
                }
            }

            Assert.True(containers.Where(c => !List(pod, "initContainers").Contains(c)).All(c => c.ContainsKey("readinessProbe") && c.ContainsKey("livenessProbe")),
                $"{name}: every container needs readiness and liveness probes");
            foreach (var volume in List(pod, "volumes").Cast<Dictionary<object, object>>().Where(v => v.ContainsKey("configMap")))
            {
                Assert.Contains(Str(Map(volume, "configMap"), "name"), names["ConfigMap"]);
            }
        }

        foreach (var service in objects.Where(o => Str(o, "kind") == "Service"))
        {
            var selector = Labels(Map(service, "spec"), "selector");
            var targets = workloads.Where(w => Subset(selector, Labels(Map(Map(Map(w, "spec"), "template"), "metadata"), "labels"))).ToList();
            Assert.NotEmpty(targets);
            var containerPorts = targets.SelectMany(w => List(Map(Map(Map(w, "spec"), "template"), "spec"), "containers"))
                .Cast<Dictionary<object, object>>().SelectMany(c => List(c, "ports").Cast<Dictionary<object, object>>())
                .SelectMany(p => new[] { Str(p, "containerPort"), p.TryGetValue("name", out var n) ? (string)n : "" }).ToHashSet();
            Assert.All(List(Map(service, "spec"), "ports").Cast<Dictionary<object, object>>(),
                port => Assert.Contains(Str(port, "targetPort"), containerPorts));
        }

        foreach (var hpa in objects.Where(o => Str(o, "kind") == "HorizontalPodAutoscaler"))
        {
            Assert.Contains(Str(Map(Map(hpa, "spec"), "scaleTargetRef"), "name"), names["Deployment"]);
        }

        foreach (var pdb in objects.Where(o => Str(o, "kind") == "PodDisruptionBudget"))
        {
            var selector = Labels(Map(Map(pdb, "spec"), "selector"), "matchLabels");
            var matching = workloads.Where(w => Subset(selector, Labels(Map(Map(Map(w, "spec"), "template"), "metadata"), "labels"))).ToList();
            Assert.True(matching.Count == 1, $"PDB {Str(Map(pdb, "metadata"), "name")} must select exactly one workload, selects {matching.Count}");
        }

        var redis = objects.Single(o => Str(o, "kind") == "StatefulSet");
        Assert.NotEmpty(List(Map(redis, "spec"), "volumeClaimTemplates"));
        var configMaps = objects.Where(o => Str(o, "kind") == "ConfigMap").Select(o => string.Join('\n', Map(o, "data").Values)).Aggregate((a, b) => a + b);
        Assert.Contains("appendonly yes", configMaps);
        // Durable acknowledgement: the silos require it and Redis provides it.
        Assert.Contains("appendfsync always", configMaps);
        Assert.Contains("Fsync", configMaps);
    }

    [Fact]
    public void Gpu_overlay_asks_for_a_gpu_on_gpu_nodes_and_tolerates_their_taint()
    {
        var gpu = Render("gpu").Single(o => Str(o, "kind") == "Deployment" && Str(Map(o, "metadata"), "name") == "silo-rerank-gpu");
        var pod = Map(Map(Map(gpu, "spec"), "template"), "spec");
        var silo = List(pod, "containers").Cast<Dictionary<object, object>>().Single();
        Assert.Equal("1", Str(Map(Map(silo, "resources"), "limits"), "nvidia.com/gpu"));
        Assert.True(Map(pod, "nodeSelector").Count > 0);
        Assert.Contains(List(pod, "tolerations").Cast<Dictionary<object, object>>(), t => Str(t, "key") == "nvidia.com/gpu");
        Assert.DoesNotContain(Render("cpu-only"), o => Str(Map(o, "metadata"), "name") == "silo-rerank-gpu");
    }

    private static List<Dictionary<object, object>> Render(string overlay)
    {
        var kubectl = ExternalProgram.Run("kubectl", ["kustomize", Path.Combine(RepositoryRoot(), "deploy", "k8s", "overlays", overlay)]);
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {overlay} failed: {kubectl.Error}");
        var deserializer = new DeserializerBuilder().Build();
        return kubectl.Output.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(d => deserializer.Deserialize<Dictionary<object, object>>(d)).ToList();
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RerankCluster.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("RerankCluster.sln not found.");
    }

    [GeneratedRegex(@"^ghcr\.io/rerank-cluster/(?<name>[a-z0-9-]+):")]
    private static partial Regex OwnImage();

    private static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) && value is Dictionary<object, object> map ? map : [];

    private static List<object> List(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) && value is List<object> list ? list : [];

    private static string Str(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) ? value?.ToString() ?? "" : "";

    private static Dictionary<string, string> Labels(Dictionary<object, object> parent, string key) =>
        Map(parent, key).ToDictionary(p => p.Key.ToString()!, p => p.Value?.ToString() ?? "");

    private static bool Subset(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);
}
