"""The candidate self-screen: a single-use link, open questions, answers read for red flags."""
