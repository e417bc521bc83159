using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RerankCluster.Configuration;

/// <summary>
/// Every options class is bound from its section and checked by its generated validator
/// (<c>[OptionsValidator]</c> over its DataAnnotations and <c>IValidatableObject</c> rules), each problem naming its setting.
/// </summary>
public static class ValidatedOptionsExtensions
{
    /// <summary>Binds a section to <typeparamref name="TOptions"/> and refuses to start while it lists a problem.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services;
    }

    /// <summary>Binds and validates a section outside the container, for choices made while a host is being built.</summary>
    public static TOptions BindValidated<TOptions, TValidator>(this IConfiguration configuration, string section)
        where TOptions : class, new()
        where TValidator : IValidateOptions<TOptions>, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var result = new TValidator().Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(section, typeof(TOptions), result.Failures) : options;
    }
}
