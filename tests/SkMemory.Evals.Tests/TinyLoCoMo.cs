namespace SkMemory.Evals.Tests;

/// <summary>
/// A small hand-written LoCoMo-shaped conversation (not the real data), written to a temp folder: 30 turns, most of them
/// distractors, so a top 20 and a small packet leave turns out and their recall depends on the ranking; and six
/// observations, one citing a turn that does not exist and one citing two turns.
/// </summary>
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
            { "speaker": "Ben", "dia_id": "D1:4", "text": "Bye!" },
            { "speaker": "Ana", "dia_id": "D1:5", "text": "My sister has a cat called Pepper who sleeps all day." },
            { "speaker": "Ben", "dia_id": "D1:6", "text": "My neighbour's dog barks at the mailman every morning." },
            { "speaker": "Ana", "dia_id": "D1:7", "text": "I planted tomatoes and basil on the balcony this spring." },
            { "speaker": "Ben", "dia_id": "D1:8", "text": "I listen to jazz piano records while I cook dinner." },
            { "speaker": "Ana", "dia_id": "D1:9", "text": "We went hiking in the mountains near the lake last weekend." },
            { "speaker": "Ben", "dia_id": "D1:10", "text": "My brother plays the drums in a rock band." },
            { "speaker": "Ana", "dia_id": "D1:11", "text": "I bought a new leash and a squeaky toy at the pet store." },
            { "speaker": "Ben", "dia_id": "D1:12", "text": "The concert hall downtown is hosting a cello recital on Friday." }
          ],
          "session_2_date_time": "10:37 am on 27 June, 2023",
          "session_2": [
            { "speaker": "Ben", "dia_id": "D2:1", "text": "My violin teacher says my bowing improved a lot." },
            { "speaker": "Ana", "dia_id": "D2:2", "text": "Biscuit learned to fetch the ball at the beach." },
            { "speaker": "Ben", "dia_id": "D2:3", "text": "Bye!" },
            { "speaker": "Ana", "dia_id": "D2:4", "text": "The roses in the front yard finally bloomed after the rain." },
            { "speaker": "Ben", "dia_id": "D2:5", "text": "I tried a new recipe for lemon pasta with garlic." },
            { "speaker": "Ana", "dia_id": "D2:6", "text": "My cousin is training her border collie for agility contests." },
            { "speaker": "Ben", "dia_id": "D2:7", "text": "I practise scales for thirty minutes before work." },
            { "speaker": "Ana", "dia_id": "D2:8", "text": "We painted the kitchen walls a pale yellow colour." },
            { "speaker": "Ben", "dia_id": "D2:9", "text": "The orchestra in my town is looking for new members." },
            { "speaker": "Ana", "dia_id": "D2:10", "text": "The vet said the puppy needs another vaccine in August." }
          ],
          "session_3_date_time": "9:00 am on 1 July, 2023",
          "session_3": [
            { "speaker": "Ben", "dia_id": "D3:1", "text": "I watched a documentary about whales on Sunday." },
            { "speaker": "Ana", "dia_id": "D3:2", "text": "The farmers market sells fresh strawberries and honey." },
            { "speaker": "Ben", "dia_id": "D3:3", "text": "My laptop broke so I am writing on my phone." },
            { "speaker": "Ana", "dia_id": "D3:4", "text": "We are planning a road trip to the coast in September." },
            { "speaker": "Ben", "dia_id": "D3:5", "text": "I finally finished reading that long fantasy novel." },
            { "speaker": "Ana", "dia_id": "D3:6", "text": "Sunflowers are growing along the fence next to the vegetable beds." },
            { "speaker": "Ben", "dia_id": "D3:7", "text": "It has been hot and dry all week." },
            { "speaker": "Ana", "dia_id": "D3:8", "text": "I signed up for a pottery class on Thursday evenings." }
          ],
          "session_4_date_time": "4:10 pm on 20 July, 2023",
          "session_4": [],
          "session_1_observation": {
            "Ana": [["Ana adopted a golden retriever puppy named Biscuit.", "D1:1"], ["Ana grows tomatoes and basil on her balcony.", "D1:7"]],
            "Ben": [["Ben is learning the violin.", ["D1:2", "D2:1"]], ["Ben mentioned a turn that does not exist.", "D9:9"]]
          },
          "session_2_observation": {
            "Ana": [["Biscuit learned to fetch at the beach.", "D2:2"]],
            "Ben": [["Ben practises scales before work.", "D:2:7"]]
          },
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
