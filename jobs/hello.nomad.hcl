# A long-running raw_exec service: prints a line every five seconds.
# Its output: bivouac alloc logs <alloc-id>  (IDs from: bivouac status hello)
job "hello" {
  type = "service"

  group "web" {
    restart {
      attempts = 3
      interval = "5m"
      delay    = "5s"
      mode     = "delay"
    }

    task "greeter" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "while true; do echo \"hello from $NOMAD_ALLOC_NAME on ${node.unique.name}\"; sleep 5; done"]
      }

      env {
        GREETING = "hello"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
