using System.Text;

namespace MtlPortal.Sandbox;

/// <summary>Reads a stream to its end but keeps only its first bytes, so a program printing without end cannot fill memory.</summary>
internal static class CappedReader
{
    public static async Task<(string Text, bool Truncated)> ReadAsync(Stream stream, int maxBytes)
    {
        var kept = new MemoryStream();
        var buffer = new byte[8192];
        var truncated = false;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            var room = maxBytes - (int)kept.Length;
            if (room > 0)
            {
                kept.Write(buffer, 0, Math.Min(room, read));
            }

            truncated |= read > room;
        }

        var text = Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
        return (truncated ? text + $"\n[… output cut at {maxBytes:N0} bytes]\n" : text, truncated);
    }
}
