namespace SkMemory.Evals.Tests;

/// <summary>A tiny hand-written LoCoMo-shaped conversation (not the real data), written to a temp folder.</summary>
internal sealed class TinyLoCoMo : IDisposable
{
    public const string Json =
        """
        {
          "speaker_a": "Ana",
          "speaker_b": "Ben",
          "session_1_date_time": "1:56 pm on 8 May, 2023",
          "session_1": [
            { "speaker": "Ana", "dia_id": "D1:1", "text": "I adopted a golden retriever puppy named Biscuit yesterday." },
            { "speaker": "Ben", "dia_id": "D1:2", "text": "Congratulations! I started learning the violin last month." },
            { "speaker": "Ana", "dia_id": "D1:3", "text": "Here is my garden.", "img_url": ["https://example.invalid/x.jpg"], "blip_caption": "a photo of red tulips in a flower bed", "query": "tulips" },
            { "speaker": "Ben", "dia_id": "D1:4", "text": "Bye!" }
          ],
          "session_2_date_time": "10:37 am on 27 June, 2023",
          "session_2": [
            { "speaker": "Ben", "dia_id": "D2:1", "text": "My violin teacher says my bowing improved a lot." },
            { "speaker": "Ana", "dia_id": "D2:2", "text": "Biscuit learned to fetch the ball at the beach." },
            { "speaker": "Ben", "dia_id": "D2:3", "text": "Bye!" }
          ],
          "session_3_date_time": "9:00 am on 1 July, 2023",
          "session_3": [],
          "qa": [
            { "question": "What is the name of Ana's dog?", "answer": "Biscuit", "evidence": ["D1:1"], "category": 4 },
            { "question": "What instrument does Ben play?", "answer": "violin", "evidence": ["D1:2; D2:1"], "category": 1 },
            { "question": "What flowers grow in Ana's garden?", "answer": 7, "evidence": ["D:1:3"], "category": 3 },
            { "question": "What did Ben's dog learn?", "adversarial_answer": "to fetch", "evidence": ["D2:2", "D9:9"], "category": 5 },
            { "question": "What is the weather like?", "answer": "unknown", "evidence": [], "category": 2 }
          ]
        }
        """;

    public TinyLoCoMo()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"skmem-evals-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, "conv-tiny.json"), Json);
    }

    public string Folder { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
