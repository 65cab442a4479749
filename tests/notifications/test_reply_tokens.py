from tessera.notifications.reply_tokens import parse_reply_address, reply_to_address


def test_round_trip_and_forgery(settings):
    settings.TESSERA_REPLY_ADDRESS = "support@help.example"
    address = reply_to_address(ticket_id=42, user_id=7)
    assert address.startswith("support+42.7.") and address.endswith("@help.example")
    assert parse_reply_address(address) == (42, 7)
    assert parse_reply_address(address.upper()) == (42, 7)
    forged = address.replace("+42.7.", "+43.7.")
    assert parse_reply_address(forged) is None
    assert parse_reply_address(address.replace("@help.example", "@evil.example")) is None
    assert parse_reply_address("support@help.example") is None
    assert parse_reply_address("nonsense") is None
