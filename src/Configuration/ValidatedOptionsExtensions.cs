using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RerankCluster.Configuration;

public static class ValidatedOptionsExtensions
{
    /// <summary>Binds a section to <typeparamref name="T"/> and refuses to start while it lists a problem.</summary>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class, ISelfValidatingOptions
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, SelfValidation<T>>();
        return services;
    }

    /// <summary>Binds and validates a section outside the container, for choices made while a host is being built.</summary>
    public static T BindValidated<T>(this IConfiguration configuration, string section) where T : class, ISelfValidatingOptions, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var problems = options.Validate().ToList();
        return problems.Count == 0 ? options : throw new OptionsValidationException(section, typeof(T), problems);
    }

    private sealed class SelfValidation<T> : IValidateOptions<T> where T : class, ISelfValidatingOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
