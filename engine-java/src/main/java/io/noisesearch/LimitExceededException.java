package io.noisesearch;

/**
 * A request over one of the engine's limits (docs/architecture.md, trust and limits): bad input like any other, but
 * never a reason to skip one method of several and carry on with the rest.
 */
public class LimitExceededException extends InvalidRequestException {

    public LimitExceededException(String message) {
        super(message);
    }
}
