// Generated from the RegisterTaskDefinitionRequest schema of @aws-sdk/client-ecs by
// scripts/generate-shape.ts. Do not edit: run `pnpm run generate-shape` after updating the SDK.
import type { ShapeModel } from '../shape.ts';

export const REGISTER_TASK_DEFINITION_SHAPE: ShapeModel = {
  "sdkVersion": "3.1178.0",
  "root": "RegisterTaskDefinitionRequest",
  "structures": {
    "ContainerDefinition": {
      "required": [],
      "members": {
        "name": "string",
        "image": "string",
        "repositoryCredentials": {
          "structure": "RepositoryCredentials"
        },
        "cpu": "number",
        "memory": "number",
        "memoryReservation": "number",
        "links": {
          "list": "string"
        },
        "portMappings": {
          "list": {
            "structure": "PortMapping"
          }
        },
        "essential": "boolean",
        "restartPolicy": {
          "structure": "ContainerRestartPolicy"
        },
        "entryPoint": {
          "list": "string"
        },
        "command": {
          "list": "string"
        },
        "environment": {
          "list": {
            "structure": "KeyValuePair"
          }
        },
        "environmentFiles": {
          "list": {
            "structure": "EnvironmentFile"
          }
        },
        "mountPoints": {
          "list": {
            "structure": "MountPoint"
          }
        },
        "volumesFrom": {
          "list": {
            "structure": "VolumeFrom"
          }
        },
        "linuxParameters": {
          "structure": "LinuxParameters"
        },
        "secrets": {
          "list": {
            "structure": "Secret"
          }
        },
        "dependsOn": {
          "list": {
            "structure": "ContainerDependency"
          }
        },
        "startTimeout": "number",
        "stopTimeout": "number",
        "versionConsistency": "string",
        "hostname": "string",
        "user": "string",
        "workingDirectory": "string",
        "disableNetworking": "boolean",
        "privileged": "boolean",
        "readonlyRootFilesystem": "boolean",
        "dnsServers": {
          "list": "string"
        },
        "dnsSearchDomains": {
          "list": "string"
        },
        "extraHosts": {
          "list": {
            "structure": "HostEntry"
          }
        },
        "dockerSecurityOptions": {
          "list": "string"
        },
        "interactive": "boolean",
        "pseudoTerminal": "boolean",
        "dockerLabels": {
          "map": "string"
        },
        "ulimits": {
          "list": {
            "structure": "Ulimit"
          }
        },
        "logConfiguration": {
          "structure": "LogConfiguration"
        },
        "healthCheck": {
          "structure": "HealthCheck"
        },
        "systemControls": {
          "list": {
            "structure": "SystemControl"
          }
        },
        "resourceRequirements": {
          "list": {
            "structure": "ResourceRequirement"
          }
        },
        "firelensConfiguration": {
          "structure": "FirelensConfiguration"
        },
        "credentialSpecs": {
          "list": "string"
        }
      }
    },
    "ContainerDependency": {
      "required": [
        "containerName",
        "condition"
      ],
      "members": {
        "containerName": "string",
        "condition": "string"
      }
    },
    "ContainerRestartPolicy": {
      "required": [
        "enabled"
      ],
      "members": {
        "enabled": "boolean",
        "ignoredExitCodes": {
          "list": "number"
        },
        "restartAttemptPeriod": "number"
      }
    },
    "Device": {
      "required": [
        "hostPath"
      ],
      "members": {
        "hostPath": "string",
        "containerPath": "string",
        "permissions": {
          "list": "string"
        }
      }
    },
    "DockerVolumeConfiguration": {
      "required": [],
      "members": {
        "scope": "string",
        "autoprovision": "boolean",
        "driver": "string",
        "driverOpts": {
          "map": "string"
        },
        "labels": {
          "map": "string"
        }
      }
    },
    "EFSAuthorizationConfig": {
      "required": [],
      "members": {
        "accessPointId": "string",
        "iam": "string"
      }
    },
    "EFSVolumeConfiguration": {
      "required": [
        "fileSystemId"
      ],
      "members": {
        "fileSystemId": "string",
        "rootDirectory": "string",
        "transitEncryption": "string",
        "transitEncryptionPort": "number",
        "authorizationConfig": {
          "structure": "EFSAuthorizationConfig"
        }
      }
    },
    "EnvironmentFile": {
      "required": [
        "value",
        "type"
      ],
      "members": {
        "value": "string",
        "type": "string"
      }
    },
    "EphemeralStorage": {
      "required": [
        "sizeInGiB"
      ],
      "members": {
        "sizeInGiB": "number"
      }
    },
    "FirelensConfiguration": {
      "required": [
        "type"
      ],
      "members": {
        "type": "string",
        "options": {
          "map": "string"
        }
      }
    },
    "FSxWindowsFileServerAuthorizationConfig": {
      "required": [
        "credentialsParameter",
        "domain"
      ],
      "members": {
        "credentialsParameter": "string",
        "domain": "string"
      }
    },
    "FSxWindowsFileServerVolumeConfiguration": {
      "required": [
        "fileSystemId",
        "rootDirectory",
        "authorizationConfig"
      ],
      "members": {
        "fileSystemId": "string",
        "rootDirectory": "string",
        "authorizationConfig": {
          "structure": "FSxWindowsFileServerAuthorizationConfig"
        }
      }
    },
    "HealthCheck": {
      "required": [
        "command"
      ],
      "members": {
        "command": {
          "list": "string"
        },
        "interval": "number",
        "timeout": "number",
        "retries": "number",
        "startPeriod": "number"
      }
    },
    "HostEntry": {
      "required": [
        "hostname",
        "ipAddress"
      ],
      "members": {
        "hostname": "string",
        "ipAddress": "string"
      }
    },
    "HostVolumeProperties": {
      "required": [],
      "members": {
        "sourcePath": "string"
      }
    },
    "InferenceAccelerator": {
      "required": [
        "deviceName",
        "deviceType"
      ],
      "members": {
        "deviceName": "string",
        "deviceType": "string"
      }
    },
    "KernelCapabilities": {
      "required": [],
      "members": {
        "add": {
          "list": "string"
        },
        "drop": {
          "list": "string"
        }
      }
    },
    "KeyValuePair": {
      "required": [],
      "members": {
        "name": "string",
        "value": "string"
      }
    },
    "LinuxParameters": {
      "required": [],
      "members": {
        "capabilities": {
          "structure": "KernelCapabilities"
        },
        "devices": {
          "list": {
            "structure": "Device"
          }
        },
        "initProcessEnabled": "boolean",
        "sharedMemorySize": "number",
        "tmpfs": {
          "list": {
            "structure": "Tmpfs"
          }
        },
        "maxSwap": "number",
        "swappiness": "number"
      }
    },
    "LogConfiguration": {
      "required": [
        "logDriver"
      ],
      "members": {
        "logDriver": "string",
        "options": {
          "map": "string"
        },
        "secretOptions": {
          "list": {
            "structure": "Secret"
          }
        }
      }
    },
    "MountPoint": {
      "required": [],
      "members": {
        "sourceVolume": "string",
        "containerPath": "string",
        "readOnly": "boolean"
      }
    },
    "NvidiaMpsAllocation": {
      "required": [
        "memory"
      ],
      "members": {
        "memory": "number",
        "maxComputePercent": "number"
      }
    },
    "PortMapping": {
      "required": [],
      "members": {
        "containerPort": "number",
        "hostPort": "number",
        "protocol": "string",
        "name": "string",
        "appProtocol": "string",
        "containerPortRange": "string"
      }
    },
    "ProxyConfiguration": {
      "required": [
        "containerName"
      ],
      "members": {
        "containerName": "string",
        "type": "string",
        "properties": {
          "list": {
            "structure": "KeyValuePair"
          }
        }
      }
    },
    "RegisterTaskDefinitionRequest": {
      "required": [
        "family",
        "containerDefinitions"
      ],
      "members": {
        "family": "string",
        "containerDefinitions": {
          "list": {
            "structure": "ContainerDefinition"
          }
        },
        "taskRoleArn": "string",
        "executionRoleArn": "string",
        "networkMode": "string",
        "volumes": {
          "list": {
            "structure": "Volume"
          }
        },
        "placementConstraints": {
          "list": {
            "structure": "TaskDefinitionPlacementConstraint"
          }
        },
        "requiresCompatibilities": {
          "list": "string"
        },
        "cpu": "string",
        "memory": "string",
        "tags": {
          "list": {
            "structure": "Tag"
          }
        },
        "pidMode": "string",
        "ipcMode": "string",
        "proxyConfiguration": {
          "structure": "ProxyConfiguration"
        },
        "inferenceAccelerators": {
          "list": {
            "structure": "InferenceAccelerator"
          }
        },
        "ephemeralStorage": {
          "structure": "EphemeralStorage"
        },
        "runtimePlatform": {
          "structure": "RuntimePlatform"
        },
        "enableFaultInjection": "boolean",
        "trustedExecutionConfiguration": {
          "structure": "TrustedExecutionConfiguration"
        }
      }
    },
    "RepositoryCredentials": {
      "required": [
        "credentialsParameter"
      ],
      "members": {
        "credentialsParameter": "string"
      }
    },
    "ResourceRequirement": {
      "required": [
        "type"
      ],
      "members": {
        "type": "string",
        "value": "string",
        "sharingStrategy": {
          "structure": "SharingStrategy"
        }
      }
    },
    "RuntimePlatform": {
      "required": [],
      "members": {
        "cpuArchitecture": "string",
        "operatingSystemFamily": "string"
      }
    },
    "S3FilesVolumeConfiguration": {
      "required": [
        "fileSystemArn"
      ],
      "members": {
        "fileSystemArn": "string",
        "rootDirectory": "string",
        "transitEncryptionPort": "number",
        "accessPointArn": "string"
      }
    },
    "Secret": {
      "required": [
        "name",
        "valueFrom"
      ],
      "members": {
        "name": "string",
        "valueFrom": "string"
      }
    },
    "SharingStrategy": {
      "required": [],
      "members": {
        "nvidiaMps": {
          "structure": "NvidiaMpsAllocation"
        }
      }
    },
    "SystemControl": {
      "required": [],
      "members": {
        "namespace": "string",
        "value": "string"
      }
    },
    "Tag": {
      "required": [],
      "members": {
        "key": "string",
        "value": "string"
      }
    },
    "TaskDefinitionPlacementConstraint": {
      "required": [],
      "members": {
        "type": "string",
        "expression": "string"
      }
    },
    "Tmpfs": {
      "required": [
        "containerPath",
        "size"
      ],
      "members": {
        "containerPath": "string",
        "size": "number",
        "mountOptions": {
          "list": "string"
        }
      }
    },
    "TrustedExecutionConfiguration": {
      "required": [
        "isolationMode"
      ],
      "members": {
        "isolationMode": "string",
        "attestationPolicy": "string"
      }
    },
    "Ulimit": {
      "required": [
        "name",
        "softLimit",
        "hardLimit"
      ],
      "members": {
        "name": "string",
        "softLimit": "number",
        "hardLimit": "number"
      }
    },
    "Volume": {
      "required": [],
      "members": {
        "name": "string",
        "host": {
          "structure": "HostVolumeProperties"
        },
        "dockerVolumeConfiguration": {
          "structure": "DockerVolumeConfiguration"
        },
        "efsVolumeConfiguration": {
          "structure": "EFSVolumeConfiguration"
        },
        "s3filesVolumeConfiguration": {
          "structure": "S3FilesVolumeConfiguration"
        },
        "fsxWindowsFileServerVolumeConfiguration": {
          "structure": "FSxWindowsFileServerVolumeConfiguration"
        },
        "configuredAtLaunch": "boolean"
      }
    },
    "VolumeFrom": {
      "required": [],
      "members": {
        "sourceContainer": "string",
        "readOnly": "boolean"
      }
    }
  }
};
