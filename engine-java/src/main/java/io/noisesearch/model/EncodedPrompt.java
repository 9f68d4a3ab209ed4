package io.noisesearch.model;

/**
 * A caption encoded once for a request: the text encoder's rows for the prompt and for the null caption (all pads) of
 * classifier-free guidance, {@code text} [tokens x width] and {@code mask} [tokens] each. Shared by every candidate of
 * the request; never written to.
 */
public record EncodedPrompt(String prompt, float[] text, float[] mask, float[] nullText, float[] nullMask) {
}
