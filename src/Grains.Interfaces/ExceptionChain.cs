namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// An exception and the ones it wraps: Orleans and storage clients wrap the fault that decides how a
/// request is answered (an outage, a lost silo) in exceptions of their own.
/// </summary>
public static class ExceptionChain
{
    public static IEnumerable<Exception> Of(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
