package io.noisesearch.profile;

/** Shard {@code index} of {@code count}: configuration k of a sweep belongs to shard k mod count. */
public record Shard(int index, int count) {

    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("expected i/n with n >= 1 and 0 <= i < n, got " + index + "/" + count);
        }
    }

    /** "i/n". */
    public static Shard parse(String text) {
        String[] parts = text.strip().split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected i/n (shard i of n, counted from 0), got '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected i/n (shard i of n, counted from 0), got '" + text + "'");
        }
    }

    public boolean holds(int configuration) {
        return configuration % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
