"""Training pipeline for the mtfix seq2seq rewriter."""
