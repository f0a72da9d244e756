"""KalliopePBX extension configs, voicemail counts, callgroups and conferences: the document's
XML shapes (PDF typos fixed), the lab's answers, secrets never kept, special characters kept."""

from __future__ import annotations

import logging

import pytest
from lxml import etree

from noc_tui.api import Backends
from noc_tui.api.errors import NotFound
from noc_tui.api.kalliope import UnsupportedApi
from noc_tui.api.kalliope_models import (
    callgroup,
    conference,
    extension_config,
    voicemail_count,
)
from noc_tui.config import parse_config
from tests.api.helpers import backends_for

DOC_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<kpbx_response><configs><config>
  <exten>201</exten><sip_secret>s3cr3t-SIP-pass</sip_secret><enabled>true</enabled>
  <first_name>Nicolò</first_name><last_name>Bruno &amp; Figli &lt;Peña&gt;</last_name>
  <gui_secret_md5>21232f297a57a5a743894a0e4a801fc3</gui_secret_md5>
  <phonebook_manager>false</phonebook_manager><vm_enabled>true</vm_enabled>
  <vm_secret>4711</vm_secret><vm_email>nicolo@example.it</vm_email>
  <vm_attach_enabled>true</vm_attach_enabled><vm_message_delete>false</vm_message_delete>
  <failover><intro>Benvenuti</intro><type>FORWARD_TO_EXTERNAL_NUMBER</type>
    <destination><name></name><value>0502201</value><gateway_type>TRUNK</gateway_type>
    <gateway_id>2</gateway_id><gateway_name>Fastweb &amp; Co</gateway_name></destination>
  </failover>
</config></configs></kpbx_response>""".encode()

DOC_CALLGROUPS = """<?xml version="1.0"?>
<kpbx_response><callgroups><callgroup>
  <id>incoming</id><name>R&amp;D &lt;lab&gt; Città</name><selection>601</selection>
  <enabled>true</enabled><timeout>20</timeout>
  <failover><intro></intro><type>FORWARD_TO_CALLGROUP_WITH_CHECKTIME</type>
    <destination><name>Reception</name><value>1</value><gateway_type></gateway_type>
    <gateway_id></gateway_id><gateway_name></gateway_name></destination></failover>
  <priorities>
    <priority><id>1</id><members>
      <member><exten>201</exten><display_name>Zoë Müller</display_name></member>
      <member><exten>202</exten><display_name>José Peña</display_name></member>
    </members></priority>
    <priority><id>2</id><members>
      <member><exten>203</exten><display_name>Luca Ricci</display_name></member>
    </members></priority>
  </priorities>
</callgroup></callgroups></kpbx_response>""".encode()

DOC_CONFERENCES = b"""<kpbx_response><conferences><conference>
  <name>Weekly &lt;ops&gt; &amp; friends</name><enabled>true</enabled>
  <selection><internal>800</internal><external>+390502201800</external></selection>
  <admin_pin>9902</admin_pin><user_pin>1234</user_pin>
</conference></conferences></kpbx_response>"""

DOC_VOICEMAIL = b"""<?xml version="1.0"?>
<kpbx_response><voicemails><voicemail>
  <urg_messages>1</urg_messages><new_messages>3</new_messages><old_messages>12</old_messages>
</voicemail></voicemails></kpbx_response>"""


def test_doc_config_parses_and_keeps_no_secret() -> None:
    root = etree.fromstring(DOC_CONFIG)
    cfg = extension_config(root.find("configs/config"))
    assert cfg.extension == "201" and cfg.enabled and cfg.vm_enabled and cfg.vm_attach
    assert cfg.name == "Nicolò Bruno & Figli <Peña>"
    assert cfg.sip_secret_set and cfg.vm_secret_set and cfg.gui_password_set
    shown = repr(cfg)
    for secret in ("s3cr3t-SIP-pass", "4711", "21232f297a57a5a743894a0e4a801fc3"):
        assert secret not in shown
    assert cfg.failover.words == "forward to external number 0502201 via Fastweb & Co"
    assert cfg.failover.intro == "Benvenuti"


def test_doc_callgroup_priorities_members_and_failover() -> None:
    root = etree.fromstring(DOC_CALLGROUPS)
    group = callgroup(root.find("callgroups/callgroup"))
    assert (group.id, group.name, group.timeout) == ("incoming", "R&D <lab> Città", 20)
    assert [step.id for step in group.priorities] == ["1", "2"]
    assert group.priorities[0].members[0].display_name == "Zoë Müller"
    assert group.priority_of("203") == "2" and group.priority_of("999") is None
    assert group.member_count == 3
    assert group.failover.words == "forward to callgroup (with checktime) 1 (Reception)"


def test_doc_conference_pins_masked_and_voicemail_counts() -> None:
    room = conference(etree.fromstring(DOC_CONFERENCES).find("conferences/conference"))
    assert room.name == "Weekly <ops> & friends" and room.internal == "800"
    assert room.admin_pin_set and room.user_pin_set
    assert "9902" not in repr(room) and "1234" not in repr(room)
    counts = voicemail_count(etree.fromstring(DOC_VOICEMAIL).find("voicemails/voicemail"))
    assert (counts.urgent, counts.new, counts.old) == (1, 3, 12)
    assert counts.words == "3 new, 1 urgent, 12 old"


def test_latin1_declared_xml_keeps_accents() -> None:
    body = '<?xml version="1.0" encoding="windows-1252"?><c><name>Città Peña</name></c>'
    root = etree.fromstring(body.encode("cp1252"))
    assert root.findtext("name") == "Città Peña"


async def test_configs_from_lab_mask_secrets_even_in_logs(clean_lab, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    made = backends_for(clean_lab)
    try:
        client = made.clients["kalliope"]
        configs = await client.extension_configs()
        one = await client.extension_configs("200")
    finally:
        await made.aclose()
    assert len(configs) >= 300 and [c.extension for c in one] == ["200"]
    assert all(c.sip_secret_set for c in configs)
    from noc_tui.sim.kalliope_world import ext_config, make_extensions

    everyone = make_extensions(1)
    secret = ext_config(1, everyone[0], everyone).sip_secret
    assert secret not in repr(one) and secret not in caplog.text


async def test_voicemail_callgroups_conferences_from_lab(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab)
    try:
        client = made.clients["kalliope"]
        groups = await client.callgroups()
        one = await client.callgroups("5")
        rooms = await client.conferences()
        counts = [await client.voicemail_count(str(exten)) for exten in range(200, 220)]
        with pytest.raises(NotFound, match="Callgroup not exists"):
            await client.callgroups("nope & <such>")
        assert await client.voicemail_count("nobody & <x>") is None
    finally:
        await made.aclose()
    names = {g.name for g in groups}
    assert {"R&D <lab>", "Ventas España", "Notte & festivi"} <= names
    assert [g.name for g in one] == ["R&D <lab>"]
    assert all(g.priorities and g.timeout for g in groups)
    assert any(g.priority_of("200") for g in groups)  # the first phone rings in Reception
    assert {"Weekly <ops>", "Direzione & soci", "Reunión España"} <= {r.name for r in rooms}
    assert any(c is not None and c.old for c in counts) and None in counts


async def test_api_version_4_is_refused_clearly_without_a_request(clean_lab) -> None:  # type: ignore[no-untyped-def]
    made = backends_for(clean_lab, api_version=4)
    try:
        client = made.clients["kalliope"]
        for call in (client.ping, client.registrations, client.conferences, client.apply):
            with pytest.raises(UnsupportedApi, match="API V4 not supported yet") as caught:
                await call()
            assert caught.value.backend == "kalliope"
        assert client.health.requests == 0
    finally:
        await made.aclose()


def test_api_version_that_is_no_number_is_a_config_error() -> None:
    import tomllib

    from noc_tui.config import ConfigError

    text = """
    [[backends]]
    name = "pbx-hq"
    kind = "kalliope"
    url = "https://10.0.0.5"
    username = "admin"
    password_md5 = "21232f297a57a5a743894a0e4a801fc3"
    api_version = "three"
    """
    with pytest.raises(ConfigError, match="api_version.*'three' is not a version number"):
        parse_config(tomllib.loads(text))


def test_api_version_accepted_in_config() -> None:
    text = """
    [[backends]]
    name = "pbx-hq"
    kind = "kalliope"
    url = "https://10.0.0.5"
    username = "admin"
    password_md5 = "21232f297a57a5a743894a0e4a801fc3"
    api_version = 4
    """
    import tomllib

    config = parse_config(tomllib.loads(text))
    assert config.backends[0].api_version == 4
    made = Backends(config)
    client = made.clients["pbx-hq"]
    assert client.api_version == 4  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedApi, match="API V4 not supported yet"):
        client.require_supported_api()  # type: ignore[attr-defined]


async def test_mislabelled_latin_body_still_parses(clean_lab) -> None:  # type: ignore[no-untyped-def]
    import httpx

    body = '<?xml version="1.0" encoding="UTF-8"?><kpbx_response><configs><config>'
    body += "<exten>7</exten><first_name>Città</first_name><last_name>Peña &amp; Co</last_name>"
    body += "</config></configs></kpbx_response>"
    made = backends_for(clean_lab)
    client = made.clients["kalliope"]
    for raw in (body.encode("cp1252"), body.split("?>", 1)[1].encode("cp1252")):
        root = client.parse(httpx.Response(200, content=raw), None)  # type: ignore[attr-defined]
        assert extension_config(root.find("configs/config")).name == "Città Peña & Co"
    await made.aclose()


def test_registration_history_keeps_changes_only_and_is_bounded() -> None:
    from noc_tui.api.kalliope_models import Registration, RegistrationHistory

    history = RegistrationHistory(per_extension=3)
    ok = Registration("201", "OK", 12.0, "10.0.0.1", "5060", "Yealink")
    history.record("201", ok, 1.0)
    history.record("201", Registration("201", "OK", 99.0, "10.0.0.1", "5060", "Yealink"), 2.0)
    assert [c.at for c in history.of("201")] == [1.0]  # an RTT change is not news
    for at, status in ((3.0, "UNREACHABLE"), (4.0, "OK"), (5.0, "UNKNOWN")):
        history.record("201", Registration("201", status, None, "10.0.0.1", "5060", ""), at)
    history.record("201", None, 6.0)
    assert [(c.at, c.status) for c in history.of("201")] == [
        (4.0, "OK"),
        (5.0, "UNKNOWN"),
        (6.0, ""),
    ]
    assert history.of("999") == []


def test_fingerprint_forms_normalised() -> None:
    from noc_tui.config import normalise_fingerprint

    hexed = "ab" * 32
    for form in (hexed, hexed.upper(), ":".join(["AB"] * 32), "SHA256:" + hexed, "sha256/" + hexed):
        assert normalise_fingerprint(form) == hexed
    for bad in ("", "ab" * 31, "zz" * 32, "md5:" + "ab" * 16):
        assert normalise_fingerprint(bad) is None
