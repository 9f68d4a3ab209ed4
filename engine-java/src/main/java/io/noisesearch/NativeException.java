package io.noisesearch;

/** A native kernel or runtime call returned a failure status. */
public class NativeException extends NoiseSearchException {

    private final int status;

    public NativeException(String function, int status) {
        super(function + " failed with status " + status + " (" + describe(status) + ")", false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    private static String describe(int status) {
        return switch (status) {
            case 1 -> "invalid argument";
            case 2 -> "device error";
            case 3 -> "not supported by this build";
            default -> "unknown status";
        };
    }
}
