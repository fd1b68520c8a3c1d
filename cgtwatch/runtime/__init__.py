"""What the production containers run: services, start-up waits, health, setup."""
