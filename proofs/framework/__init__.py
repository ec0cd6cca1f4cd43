"""The claim framework: Claim and Verdict, verdict rules shared by checks, the registry of claims, the runner."""
