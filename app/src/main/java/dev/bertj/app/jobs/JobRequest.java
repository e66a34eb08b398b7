package dev.bertj.app.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * {@code POST /v1/jobs}: the options of {@code ./bert finetune} ({@code "type": "finetune"}, the default) or
 * {@code ./bert pretrain} ({@code "type": "pretrain"}) as JSON (snake_case), plus where the data comes from. Data is
 * a path under the data directory ({@code train}, {@code corpus}) or sent inline ({@code train_text} with
 * {@code train_name} giving the file name whose extension tells the head its format; {@code corpus_text}). Absent
 * numbers take the CLI's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequest(
        String type,
        String head,
        String model,
        String train,
        String eval,
        @JsonProperty("train_text") String trainText,
        @JsonProperty("train_name") String trainName,
        @JsonProperty("eval_text") String evalText,
        @JsonProperty("eval_name") String evalName,
        String out,
        Integer epochs,
        @JsonProperty("max_steps") Long maxSteps,
        Double lr,
        Integer batch,
        Integer accumulation,
        @JsonProperty("max_length") Integer maxLength,
        @JsonProperty("freeze_encoder") Boolean freezeEncoder,
        Double warmup,
        @JsonProperty("weight_decay") Double weightDecay,
        Long seed,
        @JsonProperty("checkpoint_every") Long checkpointEvery,
        @JsonProperty("eval_every") Long evalEvery,
        @JsonProperty("max_train") Integer maxTrain,
        @JsonProperty("max_eval") Integer maxEval,
        @JsonProperty("bucket_by_length") Boolean bucketByLength,
        Map<String, String> options,
        Boolean serve,
        // pre-training (./bert pretrain): the corpus in Google's format, from scratch (config) or from a model
        String corpus,
        @JsonProperty("corpus_text") String corpusText,
        @JsonProperty("eval_corpus") String evalCorpus,
        String config,
        String from,
        String vocab,
        @JsonProperty("train_vocab") Integer trainVocab,
        Boolean cased,
        Long steps,
        Integer seq,
        @JsonProperty("max_predictions") Integer maxPredictions,
        @JsonProperty("warmup_steps") Long warmupSteps,
        @JsonProperty("eval_instances") Integer evalInstances,
        @JsonProperty("dupe_factor") Integer dupeFactor,
        @JsonProperty("log_every") Integer logEvery,
        String adam) {
}
