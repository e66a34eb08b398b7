package dev.bertj.core.head;

import dev.bertj.core.nn.Var;

import java.util.Map;

/** A head's scalar loss on a labelled batch, plus task metrics of that batch (e.g. accuracy) for the progress bar. */
public record HeadLoss(Var loss, Map<String, Double> metrics) {
}
