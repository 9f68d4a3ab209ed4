package io.noisesearch.batching;

/** Told of every model call a batcher makes: the model, the rows in it and the requests they came from. */
@FunctionalInterface
public interface BatchListener {

    BatchListener NONE = (model, rows, requests) -> { };

    void called(String model, int rows, int requests);
}
