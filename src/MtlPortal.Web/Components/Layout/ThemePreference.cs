namespace MtlPortal.Web.Components.Layout;

/// <summary>
/// Light or dark, as this browser last chose. Kept in a cookie rather than localStorage so the server renders
/// the right colours on the first byte (account pages are static and never run script), with no flash.
/// </summary>
public sealed class ThemePreference
{
    public const string CookieName = "mtl.theme";

    public bool IsDark { get; set; }

    public static bool IsDarkCookie(string? value) => value == "dark";
}
