using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests;

/// <summary>
/// How the embedded store words a disk that refuses a write: before COMMIT nothing was kept, but an I/O error at COMMIT in
/// WAL mode may come after the commit record reached the log, so the message must not promise the change was lost.
/// </summary>
public sealed class SqliteStorageFailureTests
{
    private const string Path = "/data/memories.db";

    [Fact]
    public void StorageFailure_IoErrorBeforeCommit_SaysTheChangeWasNotSaved()
    {
        var failure = SqliteMemoryStoreTransaction.StorageFailure(new SqliteException("disk I/O error", SQLitePCL.raw.SQLITE_IOERR, SQLitePCL.raw.SQLITE_IOERR_WRITE), Path);

        Assert.NotNull(failure);
        Assert.Equal(MemoryErrorCode.Unavailable, failure.Code);
        Assert.Contains(Path, failure.Message, StringComparison.Ordinal);
        Assert.Contains("this change was not saved", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SQLitePCL.raw.SQLITE_IOERR_WRITE)]
    [InlineData(SQLitePCL.raw.SQLITE_IOERR_FSYNC)]
    public void StorageFailure_IoErrorAtCommit_SaysTheChangeMayNotHaveBeenSaved(int extendedCode)
    {
        var failure = SqliteMemoryStoreTransaction.StorageFailure(new SqliteException("disk I/O error", SQLitePCL.raw.SQLITE_IOERR, extendedCode), Path, atCommit: true);

        Assert.NotNull(failure);
        Assert.Equal(MemoryErrorCode.Unavailable, failure.Code);
        Assert.Contains("this change may not have been saved", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("was not saved", failure.Message, StringComparison.Ordinal);
        Assert.Contains("skmem verify", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SQLitePCL.raw.SQLITE_FULL, "is full: this change was not saved")]
    [InlineData(SQLitePCL.raw.SQLITE_READONLY, "is read-only")]
    public void StorageFailure_FullOrReadOnlyAtCommit_StillSaysNotSaved(int code, string expected)
    {
        // A full or read-only disk refuses the commit record itself, so nothing of the change reaches the log.
        var failure = SqliteMemoryStoreTransaction.StorageFailure(new SqliteException("refused", code), Path, atCommit: true);

        Assert.NotNull(failure);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageFailure_OtherErrors_AreLeftAlone()
    {
        Assert.Null(SqliteMemoryStoreTransaction.StorageFailure(new SqliteException("constraint failed", SQLitePCL.raw.SQLITE_CONSTRAINT), Path, atCommit: true));
    }
}
