using System.Globalization;

namespace MtlPortal.Web.Components.Memories;

/// <summary>How the memory pages write times. The server does not know the reader's time zone, so times say UTC.</summary>
public static class Dates
{
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset? at) => at is { } value ? Format(value) : "—";

    /// <summary>"5 min ago", "3 h ago", "2 days ago": for lists, where the age matters more than the time.</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : age.TotalDays < 2 ? "yesterday"
            : $"{(int)age.TotalDays} days ago";
    }
}
