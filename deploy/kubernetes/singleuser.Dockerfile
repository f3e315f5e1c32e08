# The trainees' image on Kubernetes: the lesson's Jupyter image (deploy/docker/Dockerfile) plus
# jupyterhub-singleuser, which KubeSpawner starts and which lets the hub log trainees in.
#
#   docker build -f deploy/docker/Dockerfile -t pid-handson-jupyter .
#   docker build -f deploy/kubernetes/singleuser.Dockerfile -t pid-handson-singleuser .
#
# The package, its node_modules and the notebooks stay in /home/jovyan (the image's layout); the
# trainee's volume is mounted below it, at /home/jovyan/work (values.yaml), where the pod's start command
# writes the credentials and copies the notebooks.
FROM pid-handson-jupyter
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends jupyterhub \
 && rm -rf /var/lib/apt/lists/* \
 && command -v jupyterhub-singleuser
USER jovyan
WORKDIR /home/jovyan/work
