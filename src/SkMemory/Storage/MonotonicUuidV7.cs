using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SkMemory.Storage;

/// <summary>
/// UUID v7 ids that strictly increase within this process (RFC 9562 §6.2, method 1: a 12-bit counter in <c>rand_a</c>),
/// so id order is creation order even for ids made in the same millisecond. <see cref="Guid.CreateVersion7()"/> fills
/// those bits at random.
/// </summary>
internal static class MonotonicUuidV7
{
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds = -1;
    private static int _counter;

    public static Guid Create(DateTimeOffset timestamp)
    {
        long milliseconds;
        int counter;
        lock (Gate)
        {
            milliseconds = Math.Max(timestamp.ToUnixTimeMilliseconds(), _lastMilliseconds);
            if (milliseconds == _lastMilliseconds)
            {
                // Same millisecond (or the clock stepped back): count up; past 4095, borrow the next millisecond.
                if (++_counter > 0xFFF)
                {
                    milliseconds++;
                    _counter = 0;
                }
            }
            else
            {
                _counter = 0;
            }

            _lastMilliseconds = milliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
