from sellerdesk.testing.receiver import Received, Receiver, receiver  # noqa: F401
