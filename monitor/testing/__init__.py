"""What tests and the benchmarks use beside the package: a local site serving pages over HTTP
(`localsite`) and named crash points (`crash`)."""
