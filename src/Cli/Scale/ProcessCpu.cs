using System.Globalization;

namespace RerankCluster.Cli.Scale;

/// <summary>CPU time (user + system) a set of processes has used so far, from /proc (Linux).</summary>
public static class ProcessCpu
{
    // USER_HZ: the unit of /proc/<pid>/stat's times on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(IEnumerable<int> processIds) => TimeSpan.FromSeconds(processIds.Sum(Seconds));

    private static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0; // the process has gone
        }
    }
}
