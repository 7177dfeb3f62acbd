using System.Text;
using System.Text.Json;
using RunF.Runtime.IO;

namespace RunF.Runtime.Tests;

public class JsonTextTests
{
    private static string Write(string value) =>
        Encoding.UTF8.GetString(JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("v", value);
            json.WriteEndObject();
        }));

    private static string ReadBack(string json) => JsonDocument.Parse(json).RootElement.GetProperty("v").GetString()!;

    [Fact]
    public void Every_control_character_quote_and_backslash_round_trips()
    {
        var all = new string([.. Enumerable.Range(0, 0x20).Select(c => (char)c)]) + "\"\\/'";
        var json = Write(all);
        Assert.Equal(all, ReadBack(json));
        Assert.DoesNotContain(json, c => c < 0x20);
        Assert.Contains("\\n", json);
        Assert.Contains("\\u001F", json);
        Assert.Contains("\\\"", json);
        Assert.Contains("\\\\", json);
    }

    [Theory]
    [InlineData("sh -c 'a > b && c < d' + e")]
    [InlineData("/srv/données/日本/🚀")]
    [InlineData("line\u2028separator")]
    public void Other_text_is_written_as_it_is(string value)
    {
        var json = Write(value);
        Assert.Equal($"{{\"v\":\"{value}\"}}", json);
        Assert.Equal(value, ReadBack(json));
    }

    [Theory]
    [InlineData("a\uD800b")]
    [InlineData("a\uDC00")]
    [InlineData("\uD83D")]
    public void A_lone_surrogate_becomes_the_replacement_character(string value)
    {
        var json = Write(value);
        Assert.Equal(value.Replace('\uD800', '\uFFFD').Replace('\uDC00', '\uFFFD').Replace('\uD83D', '\uFFFD'), ReadBack(json));
    }
}
