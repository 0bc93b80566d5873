{{/* The release's base name: the release name when it contains "holdfast", else RELEASE-holdfast. */}}
{{- define "holdfast.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "holdfast.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "holdfast.labels" -}}
{{ include "holdfast.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: holdfast
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "holdfast.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* The Secret holding the registry credentials: the user's own, or the chart's. */}}
{{- define "holdfast.credentialsSecret" -}}
{{- .Values.policy.existingSecret | default (printf "%s-registry" (include "holdfast.fullname" .)) -}}
{{- end -}}

{{- define "holdfast.webhookService" -}}
{{- printf "%s-webhook" (include "holdfast.fullname" .) -}}
{{- end -}}

{{/* The webhook's certificates Secret: the operator's default name, which --webhook-secret repeats. */}}
{{- define "holdfast.webhookSecret" -}}
holdfast-webhook-tls
{{- end -}}

{{- define "holdfast.excludeNamespaces" -}}
{{- if kindIs "string" .Values.policy.excludeNamespaces -}}
{{- .Values.policy.excludeNamespaces -}}
{{- else -}}
{{- join "," .Values.policy.excludeNamespaces -}}
{{- end -}}
{{- end -}}
