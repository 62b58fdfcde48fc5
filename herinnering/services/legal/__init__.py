"""Legal steps, the use cases: MVI records, letters and post batches, the proof bundle, the Wgs export."""
