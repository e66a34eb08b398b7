package dev.bertj.core.pretrain.data;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a {@link PretrainingDataGenerator} stands, enough to resume it exactly: the shard being emitted (the input
 * file and byte offset where the shard's first document starts, and the RNG state when the shard began), how
 * many of that shard's instances were already handed out, and the pass over the input. Resuming re-reads and
 * regenerates that one shard and skips the instances already consumed.
 *
 * <p>{@link #encode()} gives a one-line text form for checkpoints; {@link #decode(String)} reads it back.
 *
 * @param epoch       pass over the input, from 0
 * @param shard       shard number, counted from the start of the first pass
 * @param fileIndex   index of the shard's first file in the input file list
 * @param fileName    that file's name, checked on resume
 * @param offset      byte offset in that file where the shard's first document starts
 * @param rngState    the generator's RNG state when the shard began
 * @param consumed    instances of the shard already returned
 * @param fingerprint hash of the options, vocabulary size and input file names; resume refuses a mismatch
 */
public record DataPosition(int epoch, long shard, int fileIndex, String fileName, long offset, long[] rngState,
                           int consumed, long fingerprint) {

    private static final String MAGIC = "bertj-data-position/1";

    public DataPosition {
        if (epoch < 0 || shard < 0 || fileIndex < 0 || offset < 0 || consumed < 0) {
            throw new IllegalArgumentException("negative field in data position");
        }
        if (fileName == null) {
            throw new IllegalArgumentException("fileName is null");
        }
        if (rngState == null || rngState.length != 4) {
            throw new IllegalArgumentException("rngState must hold 4 longs");
        }
        rngState = rngState.clone();
    }

    @Override
    public long[] rngState() {
        return rngState.clone();
    }

    /** One line, e.g. {@code bertj-data-position/1;epoch=0;shard=3;file=0;name=train.txt;offset=1234;...}. */
    public String encode() {
        StringBuilder sb = new StringBuilder(MAGIC);
        sb.append(";epoch=").append(epoch);
        sb.append(";shard=").append(shard);
        sb.append(";file=").append(fileIndex);
        sb.append(";name=").append(URLEncoder.encode(fileName, StandardCharsets.UTF_8));
        sb.append(";offset=").append(offset);
        sb.append(";consumed=").append(consumed);
        sb.append(";rng=");
        for (int i = 0; i < 4; i++) {
            sb.append(i == 0 ? "" : ",").append(Long.toHexString(rngState[i]));
        }
        sb.append(";fingerprint=").append(Long.toHexString(fingerprint));
        return sb.toString();
    }

    /** Reads the form written by {@link #encode()}. */
    public static DataPosition decode(String text) {
        if (text == null || !text.startsWith(MAGIC + ";")) {
            throw new IllegalArgumentException("not a data position (expected it to start with '" + MAGIC
                    + ";'): " + text);
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : text.substring(MAGIC.length() + 1).split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed field '" + part + "' in data position: " + text);
            }
            fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
        try {
            String[] rng = field(fields, "rng", text).split(",");
            if (rng.length != 4) {
                throw new IllegalArgumentException("rng must hold 4 hex words in data position: " + text);
            }
            long[] state = new long[4];
            for (int i = 0; i < 4; i++) {
                state[i] = Long.parseUnsignedLong(rng[i], 16);
            }
            return new DataPosition(
                    Integer.parseInt(field(fields, "epoch", text)),
                    Long.parseLong(field(fields, "shard", text)),
                    Integer.parseInt(field(fields, "file", text)),
                    URLDecoder.decode(field(fields, "name", text), StandardCharsets.UTF_8),
                    Long.parseLong(field(fields, "offset", text)),
                    state,
                    Integer.parseInt(field(fields, "consumed", text)),
                    Long.parseUnsignedLong(field(fields, "fingerprint", text), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed number in data position: " + text, e);
        }
    }

    private static String field(Map<String, String> fields, String key, String text) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("data position lacks '" + key + "': " + text);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataPosition p && epoch == p.epoch && shard == p.shard && fileIndex == p.fileIndex
                && fileName.equals(p.fileName) && offset == p.offset && Arrays.equals(rngState, p.rngState)
                && consumed == p.consumed && fingerprint == p.fingerprint;
    }

    @Override
    public int hashCode() {
        int h = Integer.hashCode(epoch);
        h = 31 * h + Long.hashCode(shard);
        h = 31 * h + fileIndex;
        h = 31 * h + fileName.hashCode();
        h = 31 * h + Long.hashCode(offset);
        h = 31 * h + Arrays.hashCode(rngState);
        h = 31 * h + consumed;
        return 31 * h + Long.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        return encode();
    }
}
