"""The focal point's reporting area: their commitments, one form to report progress with
everything it carries, and what happens next; and network staff's review of it."""
