"""Cross-paper claims: where Lu et al., Mehta & Gupta and Bordelon et al. meet, and when they agree."""
