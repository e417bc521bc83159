using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace RerankCluster.UnitTests;

/// <summary>
/// The GPU silo image must carry the CUDA major that ONNX Runtime's CUDA provider was linked against:
/// with another major the provider cannot load, and the image refuses to fall back to the CPU, so the
/// silo would not start. Read from the provider library the package restored, not from a note.
/// </summary>
public sealed class GpuImageTests
{
    [Fact]
    public void The_gpu_image_carries_the_cuda_major_and_cudnn_that_the_onnx_runtime_cuda_provider_links()
    {
        var provider = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so");
        Assert.True(File.Exists(provider), $"{provider} is missing: the Microsoft.ML.OnnxRuntime.Gpu package should put it beside the tests.");
        var needed = ElfNeededLibraries(provider);
        var majors = needed
            .Select(library => Regex.Match(library, @"^lib(cudart|cublas|cublasLt)\.so\.(\d+)$"))
            .Where(match => match.Success)
            .ToDictionary(match => match.Groups[1].Value, match => int.Parse(match.Groups[2].Value));
        Assert.Equal(["cublas", "cublasLt", "cudart"], majors.Keys.Order(StringComparer.Ordinal));
        var providerMajor = Assert.Single(majors.Values.Distinct());

        var dockerfile = File.ReadAllText(Path.Combine(KubernetesManifestTests.RepositoryRoot(), "deploy", "k8s", "docker", "Dockerfile.silo-gpu"));
        var runtimeImage = Regex.Match(dockerfile, @"^FROM nvidia/cuda:(?<major>\d+)\.(?<rest>\S+) AS runtime$", RegexOptions.Multiline);
        Assert.True(runtimeImage.Success, "Dockerfile.silo-gpu has no 'FROM nvidia/cuda:… AS runtime' stage.");
        Assert.Equal(providerMajor, int.Parse(runtimeImage.Groups["major"].Value));
        // cuDNN is loaded by name at run time (not a NEEDED entry): the image must be a cudnn flavour.
        Assert.Contains("-cudnn-runtime-", runtimeImage.Groups["rest"].Value);
        Assert.Contains("OnnxRuntime__Provider=Cuda", dockerfile);
    }

    /// <summary>The DT_NEEDED entries of a little-endian ELF64 shared library: the libraries the loader must find.</summary>
    private static List<string> ElfNeededLibraries(string path)
    {
        using var file = File.OpenRead(path);
        var header = Read(file, 0, 64);
        Assert.True(header.AsSpan(0, 4).SequenceEqual("\x7F"u8.ToArray().Concat("ELF"u8.ToArray()).ToArray()), $"{path} is not an ELF file.");
        Assert.Equal(2, header[4]); // ELFCLASS64
        Assert.Equal(1, header[5]); // little-endian
        var sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        var sections = Read(file, sectionTable, sectionSize * sectionCount);

        const uint dynamicSection = 6;
        for (var i = 0; i < sectionCount; i++)
        {
            var section = sections.AsSpan(i * sectionSize, sectionSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != dynamicSection)
            {
                continue;
            }

            var entries = Read(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(section[0x20..]));
            var stringsSection = sections.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x28..]) * sectionSize, sectionSize);
            var strings = Read(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(stringsSection[0x18..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(stringsSection[0x20..]));
            var needed = new List<string>();
            for (var offset = 0; offset + 16 <= entries.Length; offset += 16)
            {
                const long neededTag = 1;
                if (BinaryPrimitives.ReadInt64LittleEndian(entries.AsSpan(offset)) == neededTag)
                {
                    var start = (int)BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(offset + 8));
                    needed.Add(Encoding.ASCII.GetString(strings, start, Array.IndexOf(strings, (byte)0, start) - start));
                }
            }

            return needed;
        }

        throw new InvalidDataException($"{path} has no dynamic section.");
    }

    private static byte[] Read(FileStream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
