"""Tamper evidence: a Merkle tree over each application's log, signed checkpoints, proofs, and a verifier."""
