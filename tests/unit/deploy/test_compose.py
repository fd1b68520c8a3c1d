"""Static checks of deploy/compose.yaml: services, health checks, dependencies, Kafka (KRaft)
and Elasticsearch (with the smartcn plugin image), ports and volumes.

Input: deploy/compose.yaml and deploy/elasticsearch/Dockerfile, read through
``tests.unit.deploy.deploy_support``. No Docker engine is needed.
"""

from __future__ import annotations

import re

from tests.unit.deploy.deploy_support import (
    CGTWATCH_SERVICES,
    COMPOSE_FILE,
    DATA_DIR,
    ES_DOCKERFILE,
    ES_VERSION,
    INFRA,
    KAFKA_VERSION,
    KIBANA_SETUP,
    MONITORING,
    ONE_SHOT,
    _compose,
    _env,
    _expand_args,
    _global_args,
    _healthcheck_text,
    _interpolate,
    _services,
    _stages,
)


def test_compose_has_the_expected_services() -> None:
    assert set(_services()) == CGTWATCH_SERVICES | ONE_SHOT | INFRA | KIBANA_SETUP | MONITORING


def test_every_service_has_a_healthcheck_or_is_one_shot() -> None:
    for name, svc in _services().items():
        hc = svc.get("healthcheck") or {}
        if name in ONE_SHOT | KIBANA_SETUP:
            assert svc.get("restart") == "no", f"{name}: a one-shot service must not restart"
            continue
        assert hc and not hc.get("disable"), f"{name}: no healthcheck"
        assert hc.get("test"), f"{name}: healthcheck without test"
        assert svc.get("restart") == "unless-stopped", f"{name}: restart policy"


def test_one_image_for_all_cgtwatch_services() -> None:
    services = _services()
    group = CGTWATCH_SERVICES | ONE_SHOT
    images = {services[n]["image"] for n in group}
    builds = {repr(services[n]["build"]) for n in group}
    assert len(images) == 1, images
    assert len(builds) == 1, builds
    build = services["setup"]["build"]
    assert build == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert {services[n]["command"][0] for n in group} == group, "one command per service"


def test_cgtwatch_services_depend_on_healthy_servers_and_setup() -> None:
    services = _services()
    for name in CGTWATCH_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["kafka"]["condition"] == "service_healthy", name
        assert deps["elasticsearch"]["condition"] == "service_healthy", name
        assert deps["setup"]["condition"] == "service_completed_successfully", name
    setup = services["setup"]["depends_on"]
    assert setup == {
        "kafka": {"condition": "service_healthy"},
        "elasticsearch": {"condition": "service_healthy"},
    }
    assert services["kibana"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        assert all("condition" in d for d in deps.values()), name


def test_cgtwatch_healthcheck_probes_the_health_port_with_python() -> None:
    services = _services()
    for name in CGTWATCH_SERVICES:
        hc = services[name]["healthcheck"]
        assert hc["test"][0] == "CMD", name
        text = _healthcheck_text(services[name])
        assert "python" in text and "urllib.request" in text and "/healthz" in text, name
        assert "CGTWATCH_HEALTH_PORT" in text and "8080" in text, name
        assert _env(services[name])["CGTWATCH_HEALTH_PORT"] == "8080", name


def test_kafka_runs_kraft_without_zookeeper() -> None:
    services = _services()
    kafka = services["kafka"]
    env = _env(kafka)
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    roles = {r.strip() for r in str(env["KAFKA_PROCESS_ROLES"]).split(",")}
    assert roles == {"broker", "controller"}
    assert env["KAFKA_NODE_ID"] == "1"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert "CONTROLLER://:9093" in str(env["KAFKA_LISTENERS"])
    assert "kafka:9092" in str(env["KAFKA_ADVERTISED_LISTENERS"])
    assert env["CLUSTER_ID"] and len(str(env["CLUSTER_ID"])) == 22
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "kafka-data:/var/lib/kafka/data" in kafka["volumes"]
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in _healthcheck_text(kafka)
    text = COMPOSE_FILE.read_text(encoding="utf-8").lower()
    for name, svc in services.items():
        assert "zookeeper" not in name and "zookeeper" not in str(svc.get("image", "")).lower()
        assert not any("ZOOKEEPER" in key for key in _env(svc)), name
    assert "zookeeper.connect" not in text
    app_env = _env(services["streams"])
    assert app_env["CGTWATCH_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_elasticsearch_single_node_with_smartcn_and_limits() -> None:
    services = _services()
    es = services["elasticsearch"]
    env = _env(es)
    assert es["build"]["context"] == "./elasticsearch"
    assert es["build"]["args"]["ES_VERSION"] == ES_VERSION
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert re.fullmatch(r"-Xms(\S+) -Xmx\1", str(env["ES_JAVA_OPTS"]))
    assert es["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    assert es["ulimits"]["nofile"]["soft"] >= 65536
    assert "es-data:/usr/share/elasticsearch/data" in es["volumes"]
    hc = _healthcheck_text(es)
    assert "curl" in hc and "_cluster/health" in hc
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{ES_VERSION}"
    assert _env(services["setup"])["CGTWATCH_ELASTIC__URL"] == "http://elasticsearch:9200"
    # The plugin image.
    args = _global_args(ES_DOCKERFILE)
    assert args.get("ES_VERSION") == ES_VERSION
    (stage,) = _stages(ES_DOCKERFILE)
    base = _expand_args(stage[0][1], args)
    assert base == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
    runs = " ".join(a for k, a in stage if k == "RUN")
    assert "elasticsearch-plugin install --batch analysis-smartcn" in runs
    assert not any(k == "USER" and a.split(":")[0] in {"root", "0"} for k, a in stage)


def test_ports_are_bound_to_loopback() -> None:
    for name, svc in _services().items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is published publicly"
        if name in CGTWATCH_SERVICES | ONE_SHOT:
            assert "ports" not in svc, name


def test_volumes_for_data_and_read_only_operator_files() -> None:
    compose = _compose()
    services = compose["services"]
    declared = set(compose["volumes"])
    assert {"kafka-data", "es-data"} <= declared
    for name in CGTWATCH_SERVICES:
        mounts = [_interpolate(str(v)) for v in services[name]["volumes"]]
        data = [m for m in mounts if m.endswith(f":{DATA_DIR}")]
        assert len(data) == 1, f"{name}: one data volume at {DATA_DIR}"
        assert data[0].split(":")[0] in declared, f"{name}: data volume must be a named volume"
        assert "../config:/etc/cgtwatch:ro" in mounts, name
        assert any(m.endswith(":/run/secrets/cgtwatch:ro") for m in mounts), name
        env = _env(services[name])
        assert env["CGTWATCH_PATHS__DATA_DIR"] == DATA_DIR
        assert env["CGTWATCH_SECRETS_DIR"] == "/run/secrets/cgtwatch"
        for key in ("SOURCES", "TAXONOMY", "ALERT_RULES"):
            assert str(env[f"CGTWATCH_PATHS__{key}"]).startswith("/etc/cgtwatch/"), name


def test_instance_id_is_left_to_the_hostname() -> None:
    """Scaled replicas need distinct static-membership ids: compose must not set one."""
    for name in CGTWATCH_SERVICES | ONE_SHOT:
        assert "CGTWATCH_WORKER__INSTANCE_ID" not in _env(_services()[name]), name
