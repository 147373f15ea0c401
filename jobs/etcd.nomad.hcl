# An rkt job, as Nomad's rkt driver ran them. Where rkt is not installed, `bivouac status etcd`
# shows why it is not placed: Driver "rkt" is not detected.
job "etcd" {
  type = "service"

  group "etcd" {
    network {
      port "client" {}
    }

    task "etcd" {
      driver = "rkt"

      config {
        image        = "coreos.com/etcd:v2.0.4"
        trust_prefix = "coreos.com/etcd"
        command      = "/etcd"
        args         = ["--listen-client-urls=http://0.0.0.0:${NOMAD_PORT_client}", "--advertise-client-urls=http://${NOMAD_ADDR_client}"]
        port_map {
          client = "2379-tcp"
        }
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
