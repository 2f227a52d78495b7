package dev.orion.api.http;

/** The plain acknowledgement body: {@code {"message": "..."}}. */
public record Message(String message) {}
