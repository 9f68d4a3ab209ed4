package io.noisesearch.verify;

import io.noisesearch.backend.Backend;
import io.noisesearch.format.ImageLayout;

/**
 * How a verifier that reads pixels on the host ({@code remote:URL}) sees a scored batch: the backend that holds its
 * rows and the images they are (a latent model's decoded images, else the model's samples).
 */
public record ImageAccess(Backend backend, ImageLayout layout) {
}
