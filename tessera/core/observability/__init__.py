"""What operators see of a running Tessera: a request id, one log line per request, and Prometheus metrics.

- ``request_id``: the id of the current request (from the proxy's ``X-Request-ID`` or made here), kept in a
  context variable so that log lines, the 500 page and outgoing mail can name it.
- ``logs``: the JSON log formatter and the filter that adds the request id to every record.
- ``middleware``: the outermost middleware; it sets the request id, measures the request, writes the
  request's log line and observes the latency histogram.
- ``metrics``: the metric objects (counters and histograms kept by the processes), the gauges read from the
  database at scrape time, and the protected endpoint that exposes both.
"""
