package io.noisesearch.spark;

import io.noisesearch.profile.ProfileSample;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The Parquet table of a Spark sweep: one row per sample of a configuration, with everything its configuration's
 * result is computed from (docs/spark.md lists the columns). Rows of a sample are a function of (configuration, seed)
 * apart from the measured columns (times, heap, executor), so a retried or re-run unit writes the same rows.
 */
final class SampleTable {

    /** The Parquet table's folder inside the output folder. */
    static final String FOLDER = "samples";

    private static final StructType COUNTS = DataTypes.createStructType(new StructField[]{
            field("searchNfe", DataTypes.LongType, false), field("finalNfe", DataTypes.LongType, false),
            field("forwardPasses", DataTypes.LongType, false), field("verifierCalls", DataTypes.LongType, false),
            field("flops", DataTypes.LongType, false), field("exhausted", DataTypes.BooleanType, false)});
    private static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);

    static final StructType SCHEMA = DataTypes.createStructType(new StructField[]{
            field("unit", DataTypes.StringType, false),
            field("configuration", DataTypes.StringType, false),
            field("index", DataTypes.IntegerType, false),
            field("pool", DataTypes.StringType, true),
            field("label", DataTypes.IntegerType, false),
            field("seed", DataTypes.LongType, false),
            field("key", DataTypes.LongType, false),
            field("score", DataTypes.FloatType, false),
            field("memberScores", FLOATS, true),
            field("compute", COUNTS, false),
            field("spent", COUNTS, true),
            field("ran", COUNTS, true),
            field("searchMillis", DataTypes.LongType, false),
            field("finalMillis", DataTypes.LongType, false),
            field("probabilities", FLOATS, true),
            field("features", FLOATS, true),
            field("oracleLogDensity", DataTypes.DoubleType, true),
            field("unitWallMillis", DataTypes.LongType, false),
            field("unitEvaluationMillis", DataTypes.LongType, false),
            field("peakHeapBytes", DataTypes.LongType, false),
            field("executor", DataTypes.StringType, true)});

    /** A unit's measurements for one configuration, the same on each of its rows. */
    record Measured(long wallMillis, long evaluationMillis, long peakHeapBytes, String executor) {
    }

    /** A sample as read back, with the unit measurements of its row. */
    record Gathered(String unit, String configuration, int index, String pool, ProfileSample sample,
                    Measured measured) {
    }

    private SampleTable() {
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    static Row row(String unit, String configuration, int index, String pool, ProfileSample s, Measured m) {
        return RowFactory.create(unit, configuration, index, pool, s.label(), s.seed(), s.key(), s.score(),
                floats(s.memberScores()), counts(s.compute()), counts(s.spent()), counts(s.ran()), s.searchMillis(),
                s.finalMillis(), floats(s.probabilities()), floats(s.features()), s.oracleLogDensity(),
                m.wallMillis(), m.evaluationMillis(), m.peakHeapBytes(), m.executor());
    }

    static Gathered read(Row r) {
        ProfileSample sample = new ProfileSample(r.getInt(4), r.getLong(5), r.getLong(6), r.getFloat(7),
                floats(r, 8), counts(r, 9), counts(r, 10), counts(r, 11), r.getLong(12), r.getLong(13), floats(r, 14),
                floats(r, 15), r.isNullAt(16) ? null : r.getDouble(16));
        return new Gathered(r.getString(0), r.getString(1), r.getInt(2), r.isNullAt(3) ? null : r.getString(3),
                sample, new Measured(r.getLong(17), r.getLong(18), r.getLong(19),
                r.isNullAt(20) ? null : r.getString(20)));
    }

    private static Row counts(ProfileSample.Counts c) {
        return c == null ? null : RowFactory.create(c.searchNfe(), c.finalNfe(), c.forwardPasses(), c.verifierCalls(),
                c.flops(), c.exhausted());
    }

    private static ProfileSample.Counts counts(Row r, int i) {
        if (r.isNullAt(i)) {
            return null;
        }
        Row c = r.getStruct(i);
        return new ProfileSample.Counts(c.getLong(0), c.getLong(1), c.getLong(2), c.getLong(3), c.getLong(4),
                c.getBoolean(5));
    }

    /** Spark's rows take arrays of objects. */
    private static Float[] floats(float[] values) {
        if (values == null) {
            return null;
        }
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    private static float[] floats(Row r, int i) {
        if (r.isNullAt(i)) {
            return null;
        }
        List<Float> list = r.getList(i);
        float[] values = new float[list.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = list.get(k);
        }
        return values;
    }
}
