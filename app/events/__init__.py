"""The event feed: the events webhooks carry, in commit order, for clients that poll."""
