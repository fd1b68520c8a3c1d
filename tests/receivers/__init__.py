"""Loopback receivers for the integration tests: Slack, SMTP and chat-robot stand-ins that
check the vendor's documented request format and can refuse, rate-limit, hold their answer,
go down and come back. They build on the demo's plain recorders (``cgtwatch.demo.receivers``)
and are not installed with the product."""
