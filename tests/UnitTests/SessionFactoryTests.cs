using Microsoft.Extensions.Logging;
using RerankCluster.Inference;
using RerankCluster.Inference.Onnx;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class SessionFactoryTests(ModelFixture models)
{
    [Fact]
    public void Cuda_that_cannot_load_falls_back_to_cpu_with_one_warning()
    {
        var logger = new CapturingLogger();
        var factory = new OnnxSessionFactory(new OnnxRuntimeOptions { Provider = ExecutionProvider.Cuda, FallbackToCpu = true }, logger);
        using var first = new CrossEncoder(models.CrossEncoder.Model, factory);
        using var second = new CrossEncoder(models.CrossEncoder.Model, factory);
        if (first.Provider == ExecutionProvider.Cuda)
        {
            // A machine with a working GPU: nothing fell back, and the scores must still agree with the CPU.
            Assert.Equal(models.CrossEncoder.Score("q", ["p"])[0], first.Score("q", ["p"])[0], 1e-2f);
            return;
        }

        Assert.Equal(ExecutionProvider.Cpu, second.Provider);
        Assert.Single(logger.Warnings);
        Assert.Contains("OnnxRuntime:Provider is Cuda", logger.Warnings[0]);
        Assert.Equal(models.CrossEncoder.Score("q", ["p"]), first.Score("q", ["p"]));
    }

    [Fact]
    public void Cuda_that_cannot_load_fails_with_the_setting_named_when_fallback_is_off()
    {
        var factory = new OnnxSessionFactory(new OnnxRuntimeOptions { Provider = ExecutionProvider.Cuda, FallbackToCpu = false });
        try
        {
            using var encoder = new CrossEncoder(models.CrossEncoder.Model, factory);
            Assert.Equal(ExecutionProvider.Cuda, encoder.Provider);
        }
        catch (InvalidOperationException error)
        {
            Assert.Contains("OnnxRuntime:FallbackToCpu", error.Message);
        }
    }

    [Fact]
    public void Options_name_the_setting_at_fault()
    {
        var problems = new OnnxRuntimeOptionsValidator().Problems(new OnnxRuntimeOptions { IntraOpThreads = -1, InterOpThreads = 0 });
        Assert.Contains(problems, p => p.StartsWith("OnnxRuntime:IntraOpThreads"));
        Assert.Contains(problems, p => p.StartsWith("OnnxRuntime:InterOpThreads"));
        Assert.Contains(new BiEncoderOptionsValidator().Problems(new BiEncoderOptions { MaxLength = 4 }), p => p.StartsWith("BiEncoder:MaxLength"));
    }

    private sealed class CapturingLogger : ILogger<OnnxSessionFactory>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
