package io.noisesearch.cli;

import picocli.CommandLine.Mixin;

/** Everything a search is made of on the command line, for {@code search} and {@code generate}. */
final class SearchOptions {

    @Mixin
    AlgorithmOptions algorithm;

    @Mixin
    RequestOptions request;

    @Mixin
    EngineOptions engine;
}
