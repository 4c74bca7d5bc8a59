package io.stockroom.server.stream;

/** The metric tag of a subscriber's protocol. */
enum Transport {
  SSE("sse"),
  WS("ws");

  final String tag;

  Transport(String tag) {
    this.tag = tag;
  }
}
